#include "survey.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "encoding.h"
#include "huge.h"
#include "json.h"
#include "ops.h"
#include "plot.h"
#include "report.h"
#include "sink.h"
#include "text.h"

enum {
	REGION_PAGES = 16, /* at order 0: the classic region */
	MAX_SHAPE_OPS = 3,
};

/* Below this a run is mostly set-up; a budget that the cells before have
 * used up still gives each cell this long. */
static const double MIN_CELL_SECONDS = 0.05;
/* What a cell's control runs for, as a share of the cell's own time: enough
 * for the control, which fires within milliseconds where it can fire at
 * all, to show a rate, and most of the budget left to the ops. */
static const double CONTROL_SHARE = 0.25;
/* A program kept as evidence runs this many iterations an execution at
 * most: the fuzzers' default cap (MMLITMUS_MAX_REPEAT), so that the file
 * runs under their bounds too. */
static const uint32_t EVIDENCE_MAX_REPEAT = 64;

struct shape_op {
	const char *spec; /* as for --op: the range is the whole region */
	bool upper_half;  /* the op covers the region's upper half only */
};

struct shape {
	const char *name;  /* for --ops and the JSON */
	const char *label; /* the table's op column */
	struct shape_op ops[MAX_SHAPE_OPS];
};

/* One row per op kind of the catalog, with the ops it needs before it,
 * and mprotect once more over two VMAs, where its policy differs.  Ops
 * that map a new generation map the cell's backing. */
static const struct shape shapes[] = {
	{"mapfixed", "mapfixed (mmap MAP_FIXED)", {{"mapfixed", false}}},
	{"munmap", "munmap", {{"munmap", false}}},
	{"mremap", "mremap (MREMAP_FIXED)", {{"mremap", false}}},
	{"dontneed", "dontneed (MADV_DONTNEED)", {{"dontneed", false}}},
	/* Taken away and given back: both directions in one program. */
	{"mprotect", "mprotect (none, then read)",
	 {{"mprotect:none", false}, {"mprotect:read", false}}},
	/* A mapfixed of the upper half leaves two VMAs under the mprotects. */
	{"mprotect-vmas", "mprotect over 2 VMAs",
	 {{"mapfixed", true}, {"mprotect:none", false}, {"mprotect:read", false}}},
	{"piecewise", "piecewise (the control)", {{"piecewise:asc", false}}},
	{"shrink", "shrink (mremap in place)", {{"shrink", false}}},
	{"grow", "grow (mremap growing)", {{"grow", false}}},
	/* The range must run to the region's end; from the middle, the pages
	 * below it are ones the op must leave alone. */
	{"truncate", "truncate (ftruncate to half)", {{"truncate", true}}},
	{"punch", "punch (FALLOC_FL_PUNCH_HOLE)", {{"punch", false}}},
	{"free", "free (MADV_FREE)", {{"free", false}}},
	{"pageout", "pageout (MADV_PAGEOUT)", {{"pageout", false}}},
	{"collapse", "collapse (MADV_COLLAPSE)", {{"collapse", false}}},
	{"remove", "remove (MADV_REMOVE)", {{"remove", false}}},
	{"mlock", "mlock", {{"mlock", false}}},
	{"migrate", "migrate (move_pages)", {{"migrate", false}}},
};

enum { SHAPE_COUNT = sizeof shapes / sizeof *shapes };

/* asc and desc follow and meet an op that walks its range upwards, as the
 * kernel's page-table walks do; pingpong reads both ends every two reads,
 * so an op that progresses from either end shows within two reads; random
 * has no bias towards any walk order, for ops that go by file offset or
 * VMA.  stride lies between asc and random, and single cannot see two
 * pages, so neither adds a shape of its own. */
static const enum mml_read_order read_orders[] = {
	MML_ORDER_ASC, MML_ORDER_DESC, MML_ORDER_RANDOM, MML_ORDER_PINGPONG,
};

enum { READ_ORDER_COUNT = sizeof read_orders / sizeof *read_orders };

unsigned mml_survey_shape_count(void) { return SHAPE_COUNT; }
const char *mml_survey_shape_name(unsigned shape) { return shapes[shape].name; }

int mml_survey_shape_parse(const char *name)
{
	for (int i = 0; i < SHAPE_COUNT; i++)
		if (strcmp(shapes[i].name, name) == 0)
			return i;
	return -1;
}

int mml_survey_read_order_parse(const char *name)
{
	for (int i = 0; i < READ_ORDER_COUNT; i++)
		if (strcmp(mml_order_name(read_orders[i]), name) == 0)
			return (int)read_orders[i];
	return -1;
}

/* What this machine offers --------------------------------------------- */

/* Checked before the cell's share of the budget is handed out. */
static const char *machine_refuses(const struct mml_survey_cell *c,
				   char *buf, size_t len)
{
	const char *why = mml_run_unavailable(&c->program);
	if (!why)
		return NULL;
	snprintf(buf, len, "%s", why);
	return buf;
}

uint32_t mml_survey_default_orders(void)
{
	uint32_t orders = 1u | 1u << MML_MAX_PAGE_ORDER;
	for (unsigned k = 1; k < MML_MAX_PAGE_ORDER; k++)
		if (!mml_huge_backing_unavailable(MML_BACKING_ANON, k) ||
		    !mml_huge_backing_unavailable(MML_BACKING_MEMFD, k))
			orders |= 1u << k;
	return orders;
}

/* Planning ----------------------------------------------------------------- */

static bool selected(uint32_t mask, unsigned bit)
{
	return mask >> bit & 1;
}

/* Two folios at least, so that an op can split one from the other. */
static uint32_t region_pages(unsigned order)
{
	uint32_t two_folios = 2u << order;
	return two_folios > REGION_PAGES ? two_folios : REGION_PAGES;
}

static void build_program(struct mml_survey_cell *c)
{
	struct mml_program *p = &c->program;
	const struct shape *sh = &shapes[c->shape];
	mml_program_classic(p);
	p->page_order = c->page_order;
	p->pages = region_pages(c->page_order);
	p->backing = c->backing;
	p->readers[0].order = c->read_order;
	p->nops = 0;
	for (unsigned i = 0; i < MAX_SHAPE_OPS && sh->ops[i].spec; i++) {
		struct mml_op *op = &p->ops[p->nops++];
		/* The table's specs parse: tests/test_survey.c plans them all. */
		(void)mml_op_parse(sh->ops[i].spec, p->pages, op);
		if (mml_op_class(op->kind)->params & MML_PARAM_BACKING)
			op->backing = c->backing;
		if (sh->ops[i].upper_half)
			op->lo = p->pages / 2;
	}
}

static void plan_cell(struct mml_survey_cell *c)
{
	build_program(c);
	const char *why = mml_program_check(&c->program);
	if (why) {
		c->status = MML_CELL_NA;
		snprintf(c->reason, sizeof c->reason, "%s", why);
		return;
	}
	bool refused = machine_refuses(c, c->reason, sizeof c->reason);
	c->status = refused ? MML_CELL_SKIPPED : MML_CELL_PENDING;
}

/* Walks the selected cells in table order (shape, page order, backing,
 * read order), filling cells when it is not NULL; returns how many.
 * hugetlb pages come in one size, so hugetlb rows exist at order 9 only. */
static size_t each_cell(const struct mml_survey_filter *f,
			struct mml_survey_cell *cells)
{
	size_t n = 0;
	for (unsigned sh = 0; sh < SHAPE_COUNT; sh++)
	for (unsigned o = 0; o <= MML_MAX_PAGE_ORDER; o++)
	for (unsigned b = 0; b < MML_BACKING_COUNT; b++)
	for (unsigned r = 0; r < READ_ORDER_COUNT; r++) {
		bool hugetlb_elsewhere = b == MML_BACKING_HUGETLB && o != MML_MAX_PAGE_ORDER;
		if (!selected(f->shapes, sh) || !selected(f->page_orders, o) ||
		    !selected(f->backings, b) || hugetlb_elsewhere ||
		    !selected(f->read_orders, read_orders[r]))
			continue;
		if (cells) {
			cells[n].shape = sh;
			cells[n].page_order = o;
			cells[n].backing = (enum mml_backing)b;
			cells[n].read_order = read_orders[r];
		}
		n++;
	}
	return n;
}

/* Calibration ---------------------------------------------------------------- */

/* Backings a control maps when it cannot map its cell's: a cell over
 * hugetlb pages may have had enough of them where its control, which maps
 * a second generation, has not. */
static const enum mml_backing fallback_backings[] = {
	MML_BACKING_MEMFD, MML_BACKING_TMPFS, MML_BACKING_ANON,
};

/* The cell's program with the control in place of its last op, the row's
 * op, over the same range: the ops before it stay, so the control meets
 * the region in the state they leave, as the op does. */
static void build_control(const struct mml_program *cell, enum mml_backing b,
			  struct mml_program *p)
{
	*p = *cell;
	struct mml_op *op = &p->ops[p->nops - 1];
	uint32_t lo = op->lo, hi = op->hi;
	(void)mml_op_parse("piecewise:asc", p->pages, op);
	op->lo = lo;
	op->hi = hi;
	op->backing = b;
}

/* Builds the control over backing b: NULL when it can run here, else why
 * not, in buf. */
static const char *control_refused(const struct mml_survey_cell *c,
				   enum mml_backing b, struct mml_program *p,
				   char *buf, size_t len)
{
	build_control(&c->program, b, p);
	const char *why = mml_program_check(p);
	if (!why)
		why = mml_run_unavailable(p);
	if (!why)
		return NULL;
	snprintf(buf, len, "%s", why);
	return buf;
}

/* Over the cell's backing when the control can map it here, else over the
 * first fallback it can; when none, it does not run, and says why. */
static void plan_control(const struct mml_survey_cell *c,
			 struct mml_survey_control *ctl)
{
	char first[200], why[256];
	memset(ctl, 0, sizeof *ctl);
	ctl->status = MML_CELL_PENDING;
	if (!control_refused(c, c->backing, &ctl->program, first, sizeof first))
		return;
	for (size_t i = 0; i < sizeof fallback_backings / sizeof *fallback_backings; i++) {
		enum mml_backing b = fallback_backings[i];
		if (b == c->backing || control_refused(c, b, &ctl->program, why, sizeof why))
			continue;
		snprintf(ctl->reason, sizeof ctl->reason, "the control maps %s instead of %s: %s",
			 mml_backing_name(b), mml_backing_name(c->backing), first);
		return;
	}
	build_control(&c->program, c->backing, &ctl->program);
	ctl->status = MML_CELL_SKIPPED;
	snprintf(ctl->reason, sizeof ctl->reason, "the control cannot run here: %s", first);
}

/* The planned control that runs the same program, or NULL. */
static struct mml_survey_control *same_control(struct mml_survey *s,
					       const struct mml_program *p)
{
	char want[4096], have[4096];
	mml_program_format(p, want, sizeof want);
	for (size_t i = 0; i < s->ncontrols; i++) {
		mml_program_format(&s->controls[i].program, have, sizeof have);
		if (strcmp(want, have) == 0)
			return &s->controls[i];
	}
	return NULL;
}

/* Every cell that is to run gets a control; cells whose controls are the
 * same program (most rows of one backing, page order and read order) share
 * one, which runs once for all their shares. */
static void plan_controls(struct mml_survey *s)
{
	struct mml_survey_control ctl;
	for (size_t i = 0; i < s->ncells; i++) {
		struct mml_survey_cell *c = &s->cells[i];
		if (c->status != MML_CELL_PENDING)
			continue;
		plan_control(c, &ctl);
		struct mml_survey_control *found = same_control(s, &ctl.program);
		if (!found) {
			found = &s->controls[s->ncontrols++];
			*found = ctl;
		}
		found->shared++;
		c->control = found;
	}
}

bool mml_survey_calibrated(const struct mml_survey_cell *c)
{
	return c->control && c->control->status == MML_CELL_RAN &&
	       c->control->violation_iterations > 0;
}

static struct mml_survey_filter resolve_defaults(const struct mml_survey_filter *f)
{
	struct mml_survey_filter r = *f;
	if (!r.shapes)
		r.shapes = (1u << SHAPE_COUNT) - 1;
	if (!r.backings)
		r.backings = (1u << MML_BACKING_COUNT) - 1;
	if (!r.page_orders)
		r.page_orders = mml_survey_default_orders();
	for (unsigned i = 0; !f->read_orders && i < READ_ORDER_COUNT; i++)
		r.read_orders |= 1u << read_orders[i];
	return r;
}

int mml_survey_plan(struct mml_survey *s, const struct mml_survey_filter *f)
{
	memset(s, 0, sizeof *s);
	s->filter = resolve_defaults(f);
	s->ncells = each_cell(&s->filter, NULL);
	s->cells = calloc(s->ncells ? s->ncells : 1, sizeof *s->cells);
	s->controls = calloc(s->ncells ? s->ncells : 1, sizeof *s->controls);
	if (!s->cells || !s->controls) {
		mml_survey_free(s);
		return -1;
	}
	each_cell(&s->filter, s->cells);
	for (size_t i = 0; i < s->ncells; i++)
		plan_cell(&s->cells[i]);
	plan_controls(s);
	return 0;
}

size_t mml_survey_pending(const struct mml_survey *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ncells; i++)
		n += s->cells[i].status == MML_CELL_PENDING;
	return n;
}

void mml_survey_free(struct mml_survey *s)
{
	free(s->cells);
	free(s->controls);
	s->cells = NULL;
	s->controls = NULL;
	s->ncells = s->ncontrols = 0;
}

/* Running ------------------------------------------------------------------ */

static void skip(struct mml_survey_cell *c, const char *why)
{
	c->status = MML_CELL_SKIPPED;
	snprintf(c->reason, sizeof c->reason, "%s", why);
}

static void run_cell(struct mml_survey_cell *c, const struct mml_survey_config *sc,
		     double seconds, struct mml_capture *capture)
{
	/* One violation kept with its evidence: the one a picture marks. */
	struct mml_config rc = {.seconds = seconds, .seed = sc->seed,
				.min_racing = sc->min_racing, .stop = sc->stop,
				.evidence = 1, .capture = capture,
				.capture_violations = true};
	if (capture)
		mml_capture_reset(capture);
	if (mml_run(&c->program, &rc, &c->result) < 0) {
		skip(c, c->result.error);
		return;
	}
	if (c->result.interrupted) {
		skip(c, "interrupted");
		return;
	}
	c->status = MML_CELL_RAN;
	struct mml_report rep = {shapes[c->shape].name, &c->program, &rc, &c->result};
	c->outcome = mml_report_outcome(&rep);
	if (c->outcome == MML_OUTCOME_INCONCLUSIVE)
		mml_report_inconclusive_reason(&rep, c->reason, sizeof c->reason);
}

/* The control keeps only its counts: whether it fired, and how often. */
static void run_control(struct mml_survey_control *ctl,
			const struct mml_survey_config *sc, double seconds)
{
	struct mml_config rc = {.seconds = seconds, .seed = sc->seed,
				.min_racing = sc->min_racing, .stop = sc->stop};
	struct mml_result *r = malloc(sizeof *r);
	ctl->status = MML_CELL_SKIPPED;
	if (!r)
		snprintf(ctl->reason, sizeof ctl->reason, "out of memory");
	else if (mml_run(&ctl->program, &rc, r) < 0)
		snprintf(ctl->reason, sizeof ctl->reason, "%s", r->error);
	else if (r->interrupted)
		snprintf(ctl->reason, sizeof ctl->reason, "interrupted");
	else
		ctl->status = MML_CELL_RAN;
	if (r && ctl->status == MML_CELL_RAN) {
		ctl->iterations = r->iterations;
		ctl->violation_iterations = r->violation_iterations;
		ctl->seconds = r->seconds;
	}
	free(r);
}

/* Shares of the budget still to run: one a cell, and a control's share of
 * each cell it serves. */
static double shares_left(const struct mml_survey *s)
{
	double n = 0;
	for (size_t i = 0; i < s->ncells; i++)
		n += s->cells[i].status == MML_CELL_PENDING;
	for (size_t i = 0; i < s->ncontrols; i++)
		if (s->controls[i].status == MML_CELL_PENDING)
			n += CONTROL_SHARE * s->controls[i].shared;
	return n;
}

/* An even share of what is left of the budget, times the run's shares:
 * each run's set-up and last sweeps come out of it, so the survey ends on
 * time. */
static double run_seconds(const struct mml_survey *s, double spent,
			  double shares)
{
	const struct mml_survey_config *c = &s->config;
	double one = c->cell_seconds > 0 ? c->cell_seconds
		     : (c->budget - spent) / shares_left(s);
	double t = one * shares;
	return t > MIN_CELL_SECONDS ? t : MIN_CELL_SECONDS;
}

void mml_survey_pages_text(uint64_t pages, unsigned order, uint64_t page_bytes,
			   char *buf, size_t len)
{
	uint64_t kib = page_bytes / 1024 << order, folios = pages >> order;
	if (kib % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 " x %" PRIu64 " MiB", folios, kib / 1024);
	else
		snprintf(buf, len, "%" PRIu64 " x %" PRIu64 " KiB", folios, kib);
}

static uint64_t page_bytes(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static void pages_text(unsigned order, char *buf, size_t len)
{
	mml_survey_pages_text(region_pages(order), order, page_bytes(), buf, len);
}

static void show_progress(FILE *out, const struct mml_survey_cell *c,
			  size_t done, size_t total)
{
	char pages[32], text[512];
	pages_text(c->page_order, pages, sizeof pages);
	mml_survey_cell_text(c, text, sizeof text);
	fprintf(out, "survey %zu/%zu: %s %s %s %s: %s\n", done, total,
		shapes[c->shape].name, mml_backing_name(c->backing), pages,
		mml_order_name(c->read_order), text);
	fflush(out);
}

/* The file name of a cell's evidence: row, backing, page order, read order. */
static void evidence_name(const struct mml_survey_cell *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s-order%u-%s", shapes[c->shape].name,
		 mml_backing_name(c->backing), c->page_order,
		 mml_order_name(c->read_order));
}

/* The program in the binary form that replay, the fuzzers and corpus-add
 * take; an execution runs as many iterations as the cell needed for one
 * violation on average, so that a replay shows a rate. */
static int write_program(const char *path, const struct mml_survey_cell *c)
{
	struct mml_program p = c->program;
	uint64_t every = c->result.iterations / c->result.violation_iterations;
	p.repeat = every < EVIDENCE_MAX_REPEAT ? (uint32_t)(every ? every : 1)
					       : EVIDENCE_MAX_REPEAT;
	uint8_t bytes[MML_ENCODING_MAX];
	const char *why;
	int len = mml_encode(&p, bytes, sizeof bytes, &why);
	if (len < 0) {
		errno = EINVAL;
		return -1;
	}
	FILE *out = fopen(path, "wb");
	if (!out)
		return -1;
	bool bad = fwrite(bytes, 1, (size_t)len, out) != (size_t)len;
	return fclose(out) || bad ? -1 : 0;
}

static int write_picture(const char *path, const char *title,
			 const struct mml_survey_cell *c,
			 const struct mml_capture *capture)
{
	FILE *out = fopen(path, "w");
	if (!out)
		return -1;
	int err = mml_plot_svg(out, title, &c->program, capture);
	return fclose(out) || err ? -1 : 0;
}

/* A cell with a violation leaves its program and the picture of its first
 * such iteration in the evidence directory; the first failure is kept for
 * the caller to report. */
static void keep_evidence(struct mml_survey *s, struct mml_survey_cell *c,
			  const struct mml_capture *capture)
{
	const char *dir = s->config.evidence_dir;
	if (!dir || !capture || c->status != MML_CELL_RAN ||
	    !c->result.violation_iterations || !capture->fired)
		return;
	char name[sizeof c->evidence], path[4096];
	evidence_name(c, name, sizeof name);
	snprintf(path, sizeof path, "%s/%s.bin", dir, name);
	int err = write_program(path, c);
	if (!err) {
		snprintf(path, sizeof path, "%s/%s.svg", dir, name);
		err = write_picture(path, name, c, capture);
	}
	if (!err)
		snprintf(c->evidence, sizeof c->evidence, "%s", name);
	else if (!s->evidence_error[0])
		snprintf(s->evidence_error, sizeof s->evidence_error, "%s: %s",
			 path, strerror(errno));
}

/* A control none of whose cells ran did not run either. */
static void close_controls(struct mml_survey *s)
{
	for (size_t i = 0; i < s->ncontrols; i++) {
		struct mml_survey_control *ctl = &s->controls[i];
		if (ctl->status != MML_CELL_PENDING)
			continue;
		ctl->status = MML_CELL_SKIPPED;
		snprintf(ctl->reason, sizeof ctl->reason, "%s",
			 s->interrupted ? "interrupted" : "none of its cells ran");
	}
}

/* The cell, then its control, the first time one of its cells ran. */
static void survey_cell(struct mml_survey *s, struct mml_survey_cell *cell,
			double began, struct mml_capture *capture)
{
	const struct mml_survey_config *c = &s->config;
	if (c->stop && *c->stop) {
		skip(cell, "interrupted");
		return;
	}
	run_cell(cell, c, run_seconds(s, mml_now_seconds() - began, 1), capture);
	keep_evidence(s, cell, capture);
	struct mml_survey_control *ctl =
		cell->control ? &s->controls[cell->control - s->controls] : NULL;
	if (ctl && ctl->status == MML_CELL_PENDING && cell->status == MML_CELL_RAN)
		run_control(ctl, c, run_seconds(s, mml_now_seconds() - began,
						CONTROL_SHARE * ctl->shared));
}

void mml_survey_run(struct mml_survey *s, const struct mml_survey_config *c)
{
	s->config = *c;
	s->started = time(NULL);
	if (getloadavg(&s->load, 1) != 1)
		s->load = -1;
	size_t total = mml_survey_pending(s), done = 0;
	double shares = shares_left(s);
	s->planned_cell_seconds = c->cell_seconds > 0 ? c->cell_seconds
				  : c->budget / (shares > 0 ? shares : 1);
	/* The capture for pictures: its memory is reserved, and only the one
	 * reader's part is touched. */
	struct mml_capture capture, *cap = NULL;
	if (c->evidence_dir && mml_capture_init(&capture) == 0)
		cap = &capture;
	else if (c->evidence_dir)
		snprintf(s->evidence_error, sizeof s->evidence_error, "out of memory");
	double began = mml_now_seconds();
	for (size_t i = 0; i < s->ncells; i++) {
		struct mml_survey_cell *cell = &s->cells[i];
		if (cell->status != MML_CELL_PENDING)
			continue;
		survey_cell(s, cell, began, cap);
		if (c->progress)
			show_progress(c->progress, cell, ++done, total);
	}
	s->seconds = mml_now_seconds() - began;
	s->interrupted = c->stop && *c->stop;
	close_controls(s);
	if (cap)
		mml_capture_free(cap);
}

bool mml_survey_has_finding(const struct mml_survey *s)
{
	for (size_t i = 0; i < s->ncells; i++)
		if (s->cells[i].status == MML_CELL_RAN &&
		    mml_result_findings(&s->cells[i].result))
			return true;
	return false;
}

/* Text --------------------------------------------------------------------- */

/* The normal quantile of 97.5 %: two-sided 95 %. */
static const double Z95 = 1.959964;

struct mml_rate mml_rate_interval(uint64_t k, uint64_t n)
{
	if (n == 0)
		return (struct mml_rate){0, 1};
	double nn = (double)n;
	if (k == 0)
		return (struct mml_rate){0, 3 / nn < 1 ? 3 / nn : 1};
	double p = (double)k / nn, z2 = Z95 * Z95;
	double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
	double half = Z95 / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	/* At k = n the upper end is 1 exactly, which rounding may miss. */
	return (struct mml_rate){centre - half > 0 ? centre - half : 0,
				 k < n && centre + half < 1 ? centre + half : 1};
}

void mml_survey_rate_text(double rate, char *buf, size_t len)
{
	double percent = rate * 100;
	snprintf(buf, len, percent >= 9.95 ? "%.0f%%" : "%.2g%%", percent);
}

void mml_survey_interval_text(uint64_t k, uint64_t n, char *buf, size_t len)
{
	struct mml_rate rate = mml_rate_interval(k, n);
	char low[16], high[16];
	mml_survey_rate_text(rate.low, low, sizeof low);
	mml_survey_rate_text(rate.high, high, sizeof high);
	snprintf(buf, len, "%.*s-%s", (int)strlen(low) - 1, low, high);
}

void mml_survey_count_text(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "kMGTPE";
	if (n < 1000) {
		snprintf(buf, len, "%" PRIu64, n);
		return;
	}
	double v = (double)n;
	unsigned u = 0;
	while (v >= 999.5 && u < sizeof units - 1) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, v < 9.95 ? "%.1f%c" : "%.0f%c", v, units[u - 1]);
}

static void duration_text(double seconds, char *buf, size_t len)
{
	if (seconds < 0.0005)
		snprintf(buf, len, "<1 ms");
	else if (seconds < 0.9995)
		snprintf(buf, len, "%.0f ms", seconds * 1e3);
	else
		snprintf(buf, len, "%.1f s", seconds);
}

/* Exact counts: rounded, 1784 of 1785 iterations would read as all. */
static void violations_text(struct mml_sink *t, const struct mml_result *r)
{
	const char *sep = " ";
	for (int c = 0; c < MML_CLASS_COUNT; c++) {
		if (!r->count[c][0] && !r->count[c][1])
			continue;
		mml_sink_put(t, "%s%s%s %" PRIu64, sep, r->count[c][1] ? "FINDING " : "",
		    mml_class_name((enum mml_class)c), mml_result_class_iterations(r, c));
		sep = ", ";
	}
	mml_sink_put(t, " of %" PRIu64 " it", r->iterations);
}

/* "control 5.1k of 5.2k": the iterations in which it fired, of all. */
static void control_text(struct mml_sink *t, const struct mml_survey_control *ctl)
{
	if (!ctl || ctl->status != MML_CELL_RAN) {
		mml_sink_put(t, "no control");
		return;
	}
	char fired[16], of[16];
	mml_survey_count_text(ctl->violation_iterations, fired, sizeof fired);
	mml_survey_count_text(ctl->iterations, of, sizeof of);
	mml_sink_put(t, "control %s of %s", fired, of);
}

/* A Never with the bound on its rate and what its control did. */
static void never_text(struct mml_sink *t, const struct mml_survey_cell *c)
{
	char it[16], racing[16], bound[16];
	mml_survey_count_text(c->result.iterations, it, sizeof it);
	mml_survey_count_text(c->result.racing_reads, racing, sizeof racing);
	mml_survey_rate_text(mml_rate_interval(0, c->result.iterations).high,
			     bound, sizeof bound);
	mml_sink_put(t, "Never%s ≤%s (%s it, %s racing; ",
		     mml_survey_calibrated(c) ? "" : ", uncalibrated", bound, it, racing);
	control_text(t, c->control);
	mml_sink_put(t, ")");
}

void mml_survey_cell_text(const struct mml_survey_cell *c, char *buf,
			  size_t len)
{
	struct mml_sink t = {buf, len, 0};
	buf[0] = 0;
	switch (c->status) {
	case MML_CELL_PENDING:
		mml_sink_put(&t, "not run");
		return;
	case MML_CELL_NA:
		mml_sink_put(&t, "n/a: %s", c->reason);
		return;
	case MML_CELL_SKIPPED:
		mml_sink_put(&t, "skipped: %s", c->reason);
		return;
	case MML_CELL_RAN:
		break;
	}
	const struct mml_result *r = &c->result;
	if (c->outcome == MML_OUTCOME_NEVER) {
		never_text(&t, c);
		return;
	}
	char it[16], racing[16], first[16], interval[40];
	if (r->violation_iterations == 0) {
		mml_survey_count_text(r->iterations, it, sizeof it);
		mml_survey_count_text(r->racing_reads, racing, sizeof racing);
		mml_sink_put(&t, "%s (%s it, %s racing)", mml_outcome_name(c->outcome), it, racing);
		return;
	}
	mml_survey_interval_text(r->violation_iterations, r->iterations, interval,
				 sizeof interval);
	duration_text(r->first_violation_seconds, first, sizeof first);
	mml_sink_put(&t, "%s:", mml_outcome_name(c->outcome));
	violations_text(&t, r);
	mml_sink_put(&t, " (%s; first %s)", interval, first);
}

static const char *policy_name(const struct mml_program *p)
{
	const struct mml_op_class *c = mml_op_class(p->ops[p->nops - 1].kind);
	if (c->control)
		return "control";
	if (mml_op_atomic(p, p->nops))
		return "atomic";
	return c->atomic && c->per_vma ? "per VMA" : "not atomic";
}

static const char *status_name(enum mml_cell_status s)
{
	switch (s) {
	case MML_CELL_RAN: return "ran";
	case MML_CELL_NA: return "n/a";
	case MML_CELL_SKIPPED: return "skipped";
	case MML_CELL_PENDING: break;
	}
	return "pending";
}

/* The machine, for the header -------------------------------------------- */

struct machine {
	struct utsname uts;
	int cpus; /* that this process may use */
	uint64_t memory;
	char date[32];
};

static void machine_facts(struct machine *m, time_t when, const char *date_format)
{
	memset(m, 0, sizeof *m);
	uname(&m->uts);
	cpu_set_t set;
	m->cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
	struct sysinfo si;
	if (sysinfo(&si) == 0)
		m->memory = (uint64_t)si.totalram * si.mem_unit;
	struct tm tm;
	strftime(m->date, sizeof m->date, date_format, gmtime_r(&when, &tm));
}

/* Markdown ---------------------------------------------------------------- */

/* Cells in a row: one per read order. */
static size_t row_width(const struct mml_survey *s)
{
	size_t n = 0;
	for (unsigned r = 0; r < READ_ORDER_COUNT; r++)
		n += selected(s->filter.read_orders, read_orders[r]);
	return n;
}

static size_t count_status(const struct mml_survey *s, enum mml_cell_status st)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ncells; i++)
		n += s->cells[i].status == st;
	return n;
}

static void print_header(FILE *out, const struct mml_survey *s)
{
	const struct mml_survey_config *c = &s->config;
	struct machine m;
	machine_facts(&m, s->started, "%Y-%m-%d %H:%M UTC");
	fprintf(out, "Linux %s (%s), %d CPUs, %.0f GiB of memory, load average %.1f "
		"at the start; %s.\n", m.uts.release, m.uts.machine, m.cpus,
		(double)m.memory / (1u << 30), s->load, m.date);
	fprintf(out, "`%s`: %zu cells ran for %.2f s each, and their controls for "
		"a quarter of that a cell, %zu controls shared by cells of one shape",
		c->command, count_status(s, MML_CELL_RAN), s->planned_cell_seconds,
		s->ncontrols);
	if (c->cell_seconds <= 0)
		fprintf(out, " (a budget of %.0f s)", c->budget);
	fprintf(out, ", %.1f s in all%s; seed %" PRIu64
		"; one reader, on another CPU than the mapper's; a Never needs %" PRIu64
		" racing reads.\n\n", s->seconds,
		s->interrupted ? ", interrupted" : "", c->seed, c->min_racing);
	fprintf(out, "A cell: the outcome over its iterations (it), with the 95 %% "
		"bound on the rate of iterations with a violation (a Never: at most "
		"3/it; else the interval of k of it).  A Never names the racing "
		"reads that back it and its control, piecewise in the op's place "
		"in the same shape: the iterations in which it fired, of those it "
		"ran.  **Never, uncalibrated** is a Never whose control never fired: "
		"this reader could not see a non-atomic change in that shape, so "
		"the Never says little; they are listed again under the table.  "
		"For violations, each class with the iterations that showed it, "
		"and when the first did; FINDING marks a violation the op's policy "
		"forbids.\n\n");
}

static void print_table_head(FILE *out, const struct mml_survey *s)
{
	fprintf(out, "| op | policy | backing | pages |");
	for (unsigned r = 0; r < READ_ORDER_COUNT; r++)
		if (selected(s->filter.read_orders, read_orders[r]))
			fprintf(out, " %s |", mml_order_name(read_orders[r]));
	fprintf(out, "\n|---|---|---|---|");
	for (size_t r = 0; r < row_width(s); r++)
		fprintf(out, "---|");
	fprintf(out, "\n");
}

static bool same_reason(const struct mml_survey_cell *a,
			const struct mml_survey_cell *b)
{
	return a->status == b->status && strcmp(a->reason, b->reason) == 0;
}

/* A row none of whose cells ran, all for one reason: it is listed under
 * the table instead of filling it. */
static bool row_not_run(const struct mml_survey_cell *row, size_t width)
{
	if (row[0].status != MML_CELL_NA && row[0].status != MML_CELL_SKIPPED)
		return false;
	for (size_t k = 1; k < width; k++)
		if (!same_reason(&row[0], &row[k]))
			return false;
	return true;
}

static bool uncalibrated_never(const struct mml_survey_cell *c)
{
	return c->status == MML_CELL_RAN && c->outcome == MML_OUTCOME_NEVER &&
	       !mml_survey_calibrated(c);
}

/* An uncalibrated Never in bold; a cell's evidence linked. */
static void print_cell(FILE *out, const struct mml_survey *s,
		       const struct mml_survey_cell *c)
{
	char text[512];
	mml_survey_cell_text(c, text, sizeof text);
	fprintf(out, uncalibrated_never(c) ? " **%s**" : " %s", text);
	if (c->evidence[0])
		fprintf(out, " ([program](%s/%s.bin), [picture](%s/%s.svg))",
			s->config.evidence_dir, c->evidence,
			s->config.evidence_dir, c->evidence);
	fprintf(out, " |");
}

static void print_row(FILE *out, const struct mml_survey *s,
		      const struct mml_survey_cell *row, size_t width)
{
	char pages[32];
	pages_text(row->page_order, pages, sizeof pages);
	fprintf(out, "| %s | %s | %s | %s |", shapes[row->shape].label,
		policy_name(&row->program), mml_backing_name(row->backing), pages);
	for (size_t k = 0; k < width; k++)
		print_cell(out, s, &row[k]);
	fprintf(out, "\n");
}

/* What would calibrate an uncalibrated Never: another read order of its
 * row whose control fired, else more than this reader could do. */
static void print_remedy(FILE *out, const struct mml_survey_cell *row,
			 size_t width)
{
	const char *sep = "; the control fired with ";
	for (size_t k = 0; k < width; k++) {
		if (!mml_survey_calibrated(&row[k]))
			continue;
		fprintf(out, "%s%s", sep, mml_order_name(row[k].read_order));
		sep = ", ";
	}
	if (sep[0] == ';')
		fprintf(out, "; no read order's control fired in this row: more "
			"readers, a larger region or a longer run");
	fprintf(out, "\n");
}

static void print_uncalibrated_cell(FILE *out, const struct mml_survey_cell *c,
				    const struct mml_survey_cell *row, size_t width)
{
	const struct mml_survey_control *ctl = c->control;
	char pages[32], fired[16], of[16];
	pages_text(c->page_order, pages, sizeof pages);
	fprintf(out, "* %s over %s %s, %s: ", shapes[c->shape].name,
		mml_backing_name(c->backing), pages, mml_order_name(c->read_order));
	if (ctl && ctl->status == MML_CELL_RAN) {
		mml_survey_count_text(ctl->violation_iterations, fired, sizeof fired);
		mml_survey_count_text(ctl->iterations, of, sizeof of);
		fprintf(out, "the control fired in %s of %s it", fired, of);
	} else {
		fprintf(out, "no control: %s", ctl ? ctl->reason : "none planned");
	}
	print_remedy(out, row, width);
}

/* The Nevers whose control did not fire, apart from the others. */
static void print_uncalibrated(FILE *out, const struct mml_survey *s)
{
	size_t width = row_width(s);
	bool any = false;
	for (size_t i = 0; i < s->ncells; i++) {
		if (!uncalibrated_never(&s->cells[i]))
			continue;
		if (!any)
			fprintf(out, "\nNever, uncalibrated: the control in the cell's "
				"shape did not fire, so nothing shows that this "
				"reader could have seen a non-atomic change there.\n\n");
		any = true;
		print_uncalibrated_cell(out, &s->cells[i], &s->cells[i - i % width], width);
	}
}

static unsigned count_bits(uint32_t mask)
{
	unsigned n = 0;
	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static void print_names(FILE *out, uint32_t mask)
{
	const char *sep = "";
	for (unsigned sh = 0; sh < SHAPE_COUNT; sh++) {
		if (!selected(mask, sh))
			continue;
		fprintf(out, "%s%s", sep, shapes[sh].name);
		sep = ", ";
	}
}

/* The shorter of the two lists: the ops, or every op but the others. */
static void print_shapes(FILE *out, const struct mml_survey *s, uint32_t mask)
{
	uint32_t others = s->filter.shapes & ~mask;
	if (count_bits(others) >= count_bits(mask)) {
		print_names(out, mask);
		return;
	}
	fprintf(out, "every op");
	if (others) {
		fprintf(out, " but ");
		print_names(out, others);
	}
}

/* One line for every row not run for the reason of `first`: the ops, then
 * the backings and sizes they share, e.g. "free on memfd 16 x 4 KiB, tmpfs
 * 16 x 4 KiB". */
static void print_not_run_group(FILE *out, const struct mml_survey *s,
				const struct mml_survey_cell *first)
{
	size_t width = row_width(s);
	uint32_t mask[MML_MAX_PAGE_ORDER + 1][MML_BACKING_COUNT] = {{0}};
	for (size_t i = 0; i < s->ncells; i += width) {
		const struct mml_survey_cell *row = &s->cells[i];
		if (row_not_run(row, width) && same_reason(row, first))
			mask[row->page_order][row->backing] |= 1u << row->shape;
	}
	fprintf(out, "* %s: %s:", status_name(first->status), first->reason);
	const char *group_sep = " ";
	for (unsigned o = 0; o <= MML_MAX_PAGE_ORDER; o++)
	for (unsigned b = 0; b < MML_BACKING_COUNT; b++) {
		uint32_t m = mask[o][b];
		if (!m)
			continue;
		fprintf(out, "%s", group_sep);
		print_shapes(out, s, m);
		const char *sep = " on ";
		for (unsigned o2 = o; o2 <= MML_MAX_PAGE_ORDER; o2++)
		for (unsigned b2 = 0; b2 < MML_BACKING_COUNT; b2++) {
			if (mask[o2][b2] != m)
				continue;
			char pages[32];
			pages_text(o2, pages, sizeof pages);
			fprintf(out, "%s%s %s", sep, mml_backing_name(b2), pages);
			mask[o2][b2] = 0;
			sep = ", ";
		}
		group_sep = "; ";
	}
	fprintf(out, "\n");
}

static void print_not_run(FILE *out, const struct mml_survey *s)
{
	size_t width = row_width(s);
	bool any = false;
	for (size_t i = 0; i < s->ncells; i += width) {
		const struct mml_survey_cell *row = &s->cells[i];
		if (!row_not_run(row, width))
			continue;
		bool listed = false;
		for (size_t j = 0; j < i && !listed; j += width)
			listed = row_not_run(&s->cells[j], width) &&
				 same_reason(&s->cells[j], row);
		if (listed)
			continue;
		if (!any)
			fprintf(out, "\nNot run:\n\n");
		any = true;
		print_not_run_group(out, s, row);
	}
}

int mml_survey_markdown(FILE *out, const struct mml_survey *s)
{
	size_t width = row_width(s);
	print_header(out, s);
	print_table_head(out, s);
	for (size_t i = 0; i < s->ncells; i += width)
		if (!row_not_run(&s->cells[i], width))
			print_row(out, s, &s->cells[i], width);
	print_uncalibrated(out, s);
	print_not_run(out, s);
	return fflush(out) || ferror(out) ? -1 : 0;
}

/* JSON --------------------------------------------------------------------- */

/* The numbers of a run; zeros and nulls for a cell that did not run. */
static json_t *measures_json(const struct mml_survey_cell *c)
{
	const struct mml_result *r = &c->result;
	bool ran = c->status == MML_CELL_RAN;
	bool violated = ran && r->violation_iterations > 0;
	json_t *m = json_pack("{s:o}", "result", ran ? json_string(mml_outcome_name(c->outcome))
						   : json_null());
	json_object_update_new(m, mml_result_json(r));
	json_object_update_new(m, json_pack("{s:I, s:o}",
		"findings", (json_int_t)mml_result_findings(r),
		"first_violation_seconds",
		violated ? json_real(r->first_violation_seconds) : json_null()));
	return m;
}

static json_t *rate_json(const struct mml_survey_cell *c)
{
	if (c->status != MML_CELL_RAN)
		return json_null();
	const struct mml_result *r = &c->result;
	struct mml_rate rate = mml_rate_interval(r->violation_iterations, r->iterations);
	return json_pack("{s:f, s:f, s:s}", "low", rate.low, "high", rate.high,
			 "method", r->violation_iterations ? "Wilson" : "rule of three");
}

static json_t *control_json(const struct mml_survey_control *ctl)
{
	if (!ctl)
		return json_null();
	const struct mml_program *p = &ctl->program;
	char program[4096], op[96];
	mml_program_format(p, program, sizeof program);
	mml_op_format(&p->ops[p->nops - 1], op, sizeof op);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:f, s:I}",
		"op", op, "program", program, "status", status_name(ctl->status),
		"reason", ctl->reason, "iterations", (json_int_t)ctl->iterations,
		"violation_iterations", (json_int_t)ctl->violation_iterations,
		"seconds", ctl->seconds, "shared", (json_int_t)ctl->shared);
}

static json_t *evidence_json(const struct mml_survey_cell *c)
{
	if (!c->evidence[0])
		return json_null();
	char bin[128], svg[128];
	snprintf(bin, sizeof bin, "%s.bin", c->evidence);
	snprintf(svg, sizeof svg, "%s.svg", c->evidence);
	return json_pack("{s:s, s:s}", "program", bin, "picture", svg);
}

/* What weighs a cell: its rate's bound, its control, its evidence. */
static json_t *weight_json(const struct mml_survey_cell *c)
{
	bool ran = c->status == MML_CELL_RAN;
	return json_pack("{s:o, s:o, s:o, s:o}", "rate", rate_json(c),
		"calibrated", ran ? json_boolean(mml_survey_calibrated(c)) : json_null(),
		"control", control_json(c->control), "evidence", evidence_json(c));
}

static json_t *cell_json(const struct mml_survey_cell *c)
{
	const struct mml_program *p = &c->program;
	char program[4096], op[96];
	mml_program_format(p, program, sizeof program);
	json_t *ops = json_array();
	for (unsigned i = 0; i < p->nops; i++) {
		mml_op_format(&p->ops[i], op, sizeof op);
		json_array_append_new(ops, json_string(op));
	}
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:s}",
		"op", shapes[c->shape].name, "backing", mml_backing_name(c->backing),
		"page_order", (json_int_t)c->page_order, "pages", (json_int_t)p->pages,
		"read_order", mml_order_name(c->read_order),
		"policy", policy_name(p), "ops", ops, "program", program,
		"status", status_name(c->status), "reason", c->reason);
	json_t *m = measures_json(c), *w = weight_json(c);
	bool bad = !j || !m || !w || json_object_update(j, m) || json_object_update(j, w);
	json_decref(m);
	json_decref(w);
	if (bad) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The names of the selected bits, in the order of names[]. */
static json_t *names_json(uint32_t mask, unsigned count,
			  const char *(*name)(unsigned))
{
	json_t *a = json_array();
	for (unsigned i = 0; i < count; i++)
		if (selected(mask, i))
			json_array_append_new(a, json_string(name(i)));
	return a;
}

static const char *backing_name(unsigned b) { return mml_backing_name((enum mml_backing)b); }
static const char *read_order_name(unsigned o) { return mml_order_name((enum mml_read_order)o); }

static json_t *orders_json(uint32_t mask)
{
	json_t *a = json_array();
	for (unsigned o = 0; o <= MML_MAX_PAGE_ORDER; o++)
		if (selected(mask, o))
			json_array_append_new(a, json_integer(o));
	return a;
}

static json_t *survey_json(const struct mml_survey *s)
{
	const struct mml_survey_config *c = &s->config;
	struct machine m;
	machine_facts(&m, s->started, "%Y-%m-%dT%H:%M:%SZ");
	json_t *cells = json_array();
	for (size_t i = 0; i < s->ncells; i++) {
		if (json_array_append_new(cells, cell_json(&s->cells[i]))) {
			json_decref(cells);
			return NULL;
		}
	}
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:f, s:s, s:s, s:I, s:I, s:o, s:f, s:f,"
			 " s:f, s:o, s:b, s:o, s:o, s:o, s:o, s:o}",
		"format", (json_int_t)MML_JSON_FORMAT,
		"kernel", m.uts.release, "machine", m.uts.machine,
		"cpus", (json_int_t)m.cpus, "memory_bytes", (json_int_t)m.memory,
		"page_bytes", (json_int_t)page_bytes(),
		"load_average", s->load, "date", m.date, "command", c->command,
		"seed", (json_int_t)c->seed, "min_racing", (json_int_t)c->min_racing,
		"budget_seconds", c->cell_seconds > 0 ? json_null() : json_real(c->budget),
		"cell_seconds", s->planned_cell_seconds, "seconds", s->seconds,
		"control_share", CONTROL_SHARE,
		"evidence_dir", c->evidence_dir ? json_string(c->evidence_dir) : json_null(),
		"interrupted", s->interrupted,
		"ops", names_json(s->filter.shapes, SHAPE_COUNT, mml_survey_shape_name),
		"backings", names_json(s->filter.backings, MML_BACKING_COUNT, backing_name),
		"page_orders", orders_json(s->filter.page_orders),
		"read_orders", names_json(s->filter.read_orders, MML_ORDER_COUNT, read_order_name),
		"cells", cells);
}

int mml_survey_json(FILE *out, const struct mml_survey *s)
{
	return mml_json_write(out, survey_json(s), 1) || fflush(out) ? -1 : 0;
}
