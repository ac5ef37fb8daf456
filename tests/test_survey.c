/* The survey without running anything: the programs it plans for each
 * cell, the cells the model refuses, and the text of the table from
 * hand-filled results.  Output is TAP. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "oracle.h"
#include "program.h"
#include "survey.h"
#include "tap.h"
#include "text.h"


static bool t_counts(void)
{
	static const struct {
		uint64_t n;
		const char *text;
	} cases[] = {
		{0, "0"}, {999, "999"}, {1000, "1.0k"}, {9949, "9.9k"},
		{9960, "10k"}, {21345, "21k"}, {999499, "999k"}, {999500, "1.0M"},
		{1234567, "1.2M"}, {53862956, "54M"}, {3000000000u, "3.0G"},
	};
	bool pass = true;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char got[16];
		mml_survey_count_text(cases[i].n, got, sizeof got);
		if (strcmp(got, cases[i].text) == 0)
			continue;
		printf("# %llu: got '%s', want '%s'\n", (unsigned long long)cases[i].n,
		       got, cases[i].text);
		pass = false;
	}
	return pass;
}

static bool text_is(const struct mml_survey_cell *c, const char *want)
{
	char got[512];
	mml_survey_cell_text(c, got, sizeof got);
	if (strcmp(got, want) != 0)
		printf("# got '%s'\n# want '%s'\n", got, want);
	return strcmp(got, want) == 0;
}

static struct mml_survey_cell *ran(enum mml_outcome o, uint64_t iterations,
				   uint64_t racing)
{
	static struct mml_survey_cell c;
	memset(&c, 0, sizeof c);
	c.status = MML_CELL_RAN;
	c.outcome = o;
	c.result.iterations = iterations;
	c.result.racing_reads = racing;
	return &c;
}

/* Published 95 % Wilson intervals (Newcombe 1998: 1 of 10, 50 of 100,
 * 10 of 10), and the rule of three for none. */
static bool t_rates(void)
{
	static const struct {
		uint64_t k, n;
		double low, high;
	} cases[] = {
		{1, 10, 0.0179, 0.4042}, {50, 100, 0.4038, 0.5962},
		{10, 10, 0.7225, 1.0}, {5, 18000, 0.000119, 0.000650},
		{0, 1000, 0, 0.003}, {0, 2, 0, 1}, {0, 0, 0, 1},
	};
	bool pass = true;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct mml_rate r = mml_rate_interval(cases[i].k, cases[i].n);
		double tol = cases[i].high < 0.01 ? 5e-7 : 5e-5;
		if (fabs(r.low - cases[i].low) <= tol && fabs(r.high - cases[i].high) <= tol)
			continue;
		printf("# %llu of %llu: [%g, %g], want [%g, %g]\n",
		       (unsigned long long)cases[i].k, (unsigned long long)cases[i].n,
		       r.low, r.high, cases[i].low, cases[i].high);
		pass = false;
	}
	char a[16], b[16], c[16];
	mml_survey_rate_text(0.00014, a, sizeof a);
	mml_survey_rate_text(0.012, b, sizeof b);
	mml_survey_rate_text(0.4567, c, sizeof c);
	if (strcmp(a, "0.014%") || strcmp(b, "1.2%") || strcmp(c, "46%")) {
		printf("# rate texts '%s' '%s' '%s'\n", a, b, c);
		pass = false;
	}
	return pass;
}

static bool t_never_text(void)
{
	return text_is(ran(MML_OUTCOME_NEVER, 21345, 1234567),
		       "Never, uncalibrated ≤0.014% (21k it, 1.2M racing; no control)");
}

/* The control decides what a Never is worth: fired in some iteration, the
 * Never is calibrated; in none, or not run, it is not. */
static bool t_calibration_text(void)
{
	struct mml_survey_control ctl = {.status = MML_CELL_RAN,
					 .iterations = 5200, .violation_iterations = 5100};
	struct mml_survey_cell *c = ran(MML_OUTCOME_NEVER, 1000, 5000);
	c->control = &ctl;
	bool fired = mml_survey_calibrated(c) &&
		text_is(c, "Never ≤0.3% (1.0k it, 5.0k racing; control 5.1k of 5.2k)");
	ctl.violation_iterations = 0;
	bool silent = !mml_survey_calibrated(c) &&
		text_is(c, "Never, uncalibrated ≤0.3% (1.0k it, 5.0k racing; control 0 of 5.2k)");
	ctl.status = MML_CELL_SKIPPED;
	ctl.violation_iterations = 7;
	bool not_run = !mml_survey_calibrated(c) &&
		text_is(c, "Never, uncalibrated ≤0.3% (1.0k it, 5.0k racing; no control)");
	return fired && silent && not_run;
}

static bool t_inconclusive_text(void)
{
	return text_is(ran(MML_OUTCOME_INCONCLUSIVE, 40, 312),
		       "Inconclusive (40 it, 312 racing)");
}

/* Per class, the iterations that showed it come from the histogram of
 * class sets: here 90 with hole-then-data alone, 2 with both classes. */
static bool t_violation_text(void)
{
	struct mml_survey_cell *c = ran(MML_OUTCOME_SOMETIMES, 102000, 5000000);
	struct mml_result *r = &c->result;
	unsigned htd = 1u << MML_HOLE_THEN_DATA, sp = 1u << MML_SAME_PAGE;
	r->histogram[htd] = 90;
	r->histogram[htd | sp] = 2;
	r->count[MML_HOLE_THEN_DATA][0] = 838;
	r->count[MML_SAME_PAGE][1] = 2;
	r->violation_iterations = 92;
	r->first_violation_seconds = 0.31;
	return text_is(c, "Sometimes: FINDING same-page 2, hole-then-data 92 of 102000 it "
			  "(0.074-0.11%; first 310 ms)");
}

static bool t_not_run_text(void)
{
	struct mml_survey_cell c = {.status = MML_CELL_NA};
	snprintf(c.reason, sizeof c.reason, "MADV_FREE takes private anonymous memory only");
	bool na = text_is(&c, "n/a: MADV_FREE takes private anonymous memory only");
	c.status = MML_CELL_SKIPPED;
	snprintf(c.reason, sizeof c.reason, "interrupted");
	bool skipped = text_is(&c, "skipped: interrupted");
	return na && skipped;
}

static const struct mml_survey_cell *find(const struct mml_survey *s,
					  const char *shape,
					  enum mml_backing b, unsigned order)
{
	for (size_t i = 0; i < s->ncells; i++) {
		const struct mml_survey_cell *c = &s->cells[i];
		if (strcmp(mml_survey_shape_name(c->shape), shape) == 0 &&
		    c->backing == b && c->page_order == order)
			return c;
	}
	printf("# no cell %s %s order %u\n", shape, mml_backing_name(b), order);
	return NULL;
}

/* Every shape on base pages, one read order, memfd and anon. */
static bool plan_base(struct mml_survey *s)
{
	struct mml_survey_filter f = {
		.backings = 1u << MML_BACKING_MEMFD | 1u << MML_BACKING_ANON,
		.page_orders = 1,
		.read_orders = 1u << MML_ORDER_PINGPONG,
	};
	return mml_survey_plan(s, &f) == 0 &&
	       s->ncells == 2 * mml_survey_shape_count();
}

/* The model's refusals are n/a, with its reason; migrate is skipped on a
 * machine with one NUMA node; everything else on base pages of a memfd or
 * anonymous memory is planned to run. */
static bool t_plan_refusals(void)
{
	struct mml_survey s;
	if (!plan_base(&s))
		return false;
	static const char *const na_anon[] = {"truncate", "punch", "remove"};
	bool pass = true;
	for (size_t i = 0; i < s.ncells; i++) {
		const struct mml_survey_cell *c = &s.cells[i];
		const char *name = mml_survey_shape_name(c->shape);
		bool na = c->backing == MML_BACKING_MEMFD && strcmp(name, "free") == 0;
		for (size_t k = 0; k < sizeof na_anon / sizeof *na_anon; k++)
			na |= c->backing == MML_BACKING_ANON && strcmp(name, na_anon[k]) == 0;
		bool one_node = strcmp(name, "migrate") == 0 && mml_far_node() < 0;
		enum mml_cell_status want = na ? MML_CELL_NA
					  : one_node ? MML_CELL_SKIPPED : MML_CELL_PENDING;
		/* The row's op is the program's last, so its specs parsed. */
		const char *last = mml_op_class(c->program.ops[c->program.nops - 1].kind)->name;
		if (strncmp(name, last, strlen(last)) != 0) {
			printf("# %s: the last op is %s\n", name, last);
			pass = false;
		}
		if (c->status != want || ((na || one_node) && !c->reason[0])) {
			printf("# %s on %s: status %d, reason '%s'\n", name,
			       mml_backing_name(c->backing), c->status, c->reason);
			pass = false;
		}
	}
	mml_survey_free(&s);
	return pass;
}

/* The shapes that need more than their op: the ops before it, a half range. */
static bool t_plan_shapes(void)
{
	struct mml_survey s;
	if (!plan_base(&s))
		return false;
	const struct mml_survey_cell *vmas = find(&s, "mprotect-vmas", MML_BACKING_ANON, 0);
	const struct mml_survey_cell *trunc = find(&s, "truncate", MML_BACKING_MEMFD, 0);
	const struct mml_survey_cell *mprot = find(&s, "mprotect", MML_BACKING_MEMFD, 0);
	bool pass = vmas && trunc && mprot;
	pass = pass && vmas->program.nops == 3 &&
	       vmas->program.ops[0].kind == MML_OP_MAPFIXED &&
	       vmas->program.ops[0].lo == 8 &&
	       vmas->program.ops[0].backing == MML_BACKING_ANON &&
	       !mml_op_atomic(&vmas->program, 3);
	pass = pass && trunc->program.ops[0].lo == 8 && trunc->program.ops[0].hi == 16;
	pass = pass && mprot->program.nops == 2 &&
	       mprot->program.ops[0].prot == MML_PROT_NONE &&
	       mprot->program.ops[1].prot == MML_PROT_READ &&
	       mml_op_atomic(&mprot->program, 2);
	pass = pass && mprot->program.readers[0].order == MML_ORDER_PINGPONG &&
	       mprot->program.pages == 16;
	mml_survey_free(&s);
	return pass;
}

static const struct mml_op *last_op(const struct mml_program *p)
{
	return &p->ops[p->nops - 1];
}

/* Every cell to run has a control: its program with piecewise in place of
 * the row's op over the same range, the ops before it kept; cells with the
 * same control share it, and nothing else does. */
static bool t_plan_controls(void)
{
	struct mml_survey s;
	if (!plan_base(&s))
		return false;
	const struct mml_survey_cell *mapfixed = find(&s, "mapfixed", MML_BACKING_MEMFD, 0);
	const struct mml_survey_cell *munmap = find(&s, "munmap", MML_BACKING_MEMFD, 0);
	const struct mml_survey_cell *anon = find(&s, "munmap", MML_BACKING_ANON, 0);
	const struct mml_survey_cell *mprot = find(&s, "mprotect", MML_BACKING_MEMFD, 0);
	const struct mml_survey_cell *trunc = find(&s, "truncate", MML_BACKING_MEMFD, 0);
	bool pass = mapfixed && munmap && anon && mprot && trunc;
	for (size_t i = 0; pass && i < s.ncells; i++) {
		const struct mml_survey_cell *c = &s.cells[i];
		bool want = c->status == MML_CELL_PENDING;
		if ((c->control != NULL) != want ||
		    (want && (last_op(&c->control->program)->kind != MML_OP_PIECEWISE ||
			      c->control->status != MML_CELL_PENDING))) {
			printf("# %s on %s: control %p\n", mml_survey_shape_name(c->shape),
			       mml_backing_name(c->backing), (const void *)c->control);
			pass = false;
		}
	}
	unsigned shared = 0;
	for (size_t i = 0; i < s.ncontrols; i++)
		shared += s.controls[i].shared;
	pass = pass && shared == mml_survey_pending(&s) &&
	       mapfixed->control == munmap->control && munmap->control != anon->control &&
	       last_op(&anon->control->program)->backing == MML_BACKING_ANON;
	const struct mml_program *mp = pass ? &mprot->control->program : NULL;
	pass = pass && mp->nops == 2 && mp->ops[0].kind == MML_OP_MPROTECT &&
	       mp->ops[0].prot == MML_PROT_NONE && mprot->control != munmap->control;
	const struct mml_op *t = pass ? last_op(&trunc->control->program) : NULL;
	pass = pass && t->lo == 8 && t->hi == 16 && t->backing == MML_BACKING_MEMFD &&
	       trunc->control->program.readers[0].order == MML_ORDER_PINGPONG;
	mml_survey_free(&s);
	return pass;
}

/* Huge orders hold two folios; hugetlb rows exist at order 9 only. */
static bool t_plan_orders(void)
{
	struct mml_survey s;
	struct mml_survey_filter f = {
		.shapes = 1u << mml_survey_shape_parse("mapfixed"),
		.page_orders = 1u | 1u << MML_MAX_PAGE_ORDER,
		.read_orders = 1u << MML_ORDER_ASC,
	};
	if (mml_survey_plan(&s, &f))
		return false;
	bool pass = s.ncells == 3 + 4;
	for (size_t i = 0; i < s.ncells; i++) {
		const struct mml_survey_cell *c = &s.cells[i];
		bool hugetlb_elsewhere = c->backing == MML_BACKING_HUGETLB &&
					 c->page_order != MML_MAX_PAGE_ORDER;
		if (hugetlb_elsewhere || c->status == MML_CELL_NA ||
		    c->program.pages != (c->page_order ? 1024u : 16u)) {
			printf("# %s order %u: %u pages, status %d\n",
			       mml_backing_name(c->backing), c->page_order,
			       c->program.pages, c->status);
			pass = false;
		}
	}
	mml_survey_free(&s);
	return pass;
}

static char *markdown(const struct mml_survey *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out || mml_survey_markdown(out, s) || fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

/* A row that ran is a table row; rows that could not run are listed under
 * the table, grouped by their reason. */
static bool t_markdown(void)
{
	struct mml_survey s;
	if (!plan_base(&s))
		return false;
	for (size_t i = 0; i < s.ncells; i++) {
		struct mml_survey_cell *c = &s.cells[i];
		if (c->status == MML_CELL_PENDING) {
			c->status = MML_CELL_RAN;
			c->outcome = MML_OUTCOME_NEVER;
			c->result.iterations = 1000;
			c->result.racing_reads = 5000;
		}
	}
	s.config.command = "mmlitmus survey";
	char *text = markdown(&s);
	bool pass = text &&
		strstr(text, "| op | policy | backing | pages | pingpong |\n") &&
		strstr(text, "| mapfixed (mmap MAP_FIXED) | atomic | memfd | 16 x 4 KiB | "
			     "**Never, uncalibrated ≤0.3% (1.0k it, 5.0k racing; no control)** |\n") &&
		strstr(text, "| mprotect over 2 VMAs | per VMA | anon |") &&
		strstr(text, "* n/a: MADV_FREE takes private anonymous memory only: free on memfd 16 x 4 KiB\n") &&
		strstr(text, ": truncate, punch on anon 16 x 4 KiB\n") &&
		!strstr(text, "| free (MADV_FREE) | not atomic | memfd");
	if (text && !pass)
		printf("# %s", text);
	free(text);
	mml_survey_free(&s);
	return pass;
}

/* Two read orders of one row: the control fired in desc, not in asc, so
 * asc's Never is listed apart, with desc as what would calibrate it; a
 * cell with a violation links its evidence. */
static bool t_markdown_calibration(void)
{
	struct mml_survey s;
	struct mml_survey_filter f = {
		.shapes = 1u << mml_survey_shape_parse("munmap"),
		.backings = 1u << MML_BACKING_ANON, .page_orders = 1,
		.read_orders = 1u << MML_ORDER_ASC | 1u << MML_ORDER_DESC,
	};
	if (mml_survey_plan(&s, &f) || s.ncells != 2 || s.ncontrols != 2)
		return false;
	for (size_t i = 0; i < s.ncells; i++) {
		struct mml_survey_cell *c = &s.cells[i];
		struct mml_survey_control *ctl = &s.controls[c->control - s.controls];
		c->status = MML_CELL_RAN;
		c->outcome = MML_OUTCOME_NEVER;
		c->result.iterations = 300;
		c->result.racing_reads = 9000;
		*ctl = (struct mml_survey_control){.status = MML_CELL_RAN, .iterations = 80,
			.violation_iterations = c->read_order == MML_ORDER_DESC ? 12 : 0,
			.shared = 1};
	}
	struct mml_survey_cell *desc = &s.cells[1];
	desc->outcome = MML_OUTCOME_SOMETIMES;
	desc->result.violation_iterations = 3;
	snprintf(desc->evidence, sizeof desc->evidence, "munmap-anon-order0-desc");
	s.config.command = "mmlitmus survey";
	s.config.evidence_dir = "ev";
	char *text = markdown(&s);
	bool pass = text &&
		strstr(text, "| **Never, uncalibrated ≤1% (300 it, 9.0k racing; control 0 of 80)** |") &&
		strstr(text, "([program](ev/munmap-anon-order0-desc.bin), "
			     "[picture](ev/munmap-anon-order0-desc.svg)) |\n") &&
		strstr(text, "* munmap over anon 16 x 4 KiB, asc: the control fired in 0 of 80 it; "
			     "the control fired with desc\n");
	if (text && !pass)
		printf("# %s", text);
	free(text);
	mml_survey_free(&s);
	return pass;
}

int main(void)
{
	static const struct {
		const char *name;
		bool (*run)(void);
	} tests[] = {
		{"counts in four characters", t_counts},
		{"rates: Wilson intervals, the rule of three, as percentages", t_rates},
		{"a Never cell names its bound, iterations, racing reads, control", t_never_text},
		{"a Never is calibrated when its control fired, else not", t_calibration_text},
		{"an Inconclusive cell says so", t_inconclusive_text},
		{"a violation cell: classes, iterations, findings, first time", t_violation_text},
		{"cells not run give their reason", t_not_run_text},
		{"the model's refusals are n/a, migrate needs two nodes, the rest is planned",
		 t_plan_refusals},
		{"shapes: the ops before, the half ranges, the read order", t_plan_shapes},
		{"page orders: two folios; hugetlb at order 9 only", t_plan_orders},
		{"controls: the row's op replaced, the ops before kept, shared when equal",
		 t_plan_controls},
		{"Markdown: rows that ran, rows not run listed by reason", t_markdown},
		{"Markdown: uncalibrated Nevers apart with a remedy, evidence linked",
		 t_markdown_calibration},
	};
	for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
		ok(tests[i].run(), tests[i].name);
	return tap_done();
}
