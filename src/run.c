#include "run.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "crew.h"
#include "history.h"
#include "huge.h"
#include "ops.h"
#include "park.h"
#include "perturb.h"
#include "reader.h"
#include "rng.h"
#include "tag.h"
#include "text.h"
#include "writer.h"

struct runner {
	const struct mml_program *p;
	const struct mml_config *c;
	struct mml_result *r;
	size_t page_size;
	char *region;
	struct mml_store stores[MML_MAX_OPS + 1];
	char *staging[MML_MAX_OPS + 1];
	/* The reservation each staging range was placed in, to unmap. */
	char *window[MML_MAX_OPS + 1];
	size_t window_len[MML_MAX_OPS + 1];
	struct mml_history history;
	bool atomic[MML_MAX_OPS + 1];
	struct mml_span quiet[MML_MAX_OPS + 1]; /* reader.h, struct mml_shared */
	struct mml_shared *shared;
	struct mml_reader_thread *readers;
	/* Writer mode: each reader's oracle, which judges its stores, and
	 * which pages of a file are in memory (mincore). */
	struct mml_oracle *oracles[MML_MAX_READERS];
	unsigned char *resident;
	unsigned threads; /* reader threads started */
	struct mml_crew own_crew; /* when the config brings none */
	struct mml_crew *crew;
	int workers[MML_MAX_READERS]; /* the crew's worker running each reader */
	int perturber_worker;
	struct mml_perturber perturber;
	bool perturbing; /* its thread runs */
	unsigned parties; /* threads that take part in each iteration */
	struct mml_target target;
	uint64_t rng;
	cpu_set_t saved_affinity;
	bool pinned, guarded;
	bool refill; /* an op gives file pages back: allocate them again */
	unsigned findings_kept, expected_kept;
	unsigned kept_classes; /* bit per class with evidence kept */
	double started_at, progress_at;
	bool progress_shown;
};

static int fail(struct runner *x, const char *what, int err)
{
	snprintf(x->r->error, sizeof x->r->error, "%s: %s", what, strerror(-err));
	return -1;
}

double mml_now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t pages_len(const struct runner *x, uint32_t pages)
{
	return (size_t)pages * x->page_size;
}

static char *reserve_new(size_t len)
{
	void *got = mmap(NULL, len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return got == MAP_FAILED ? NULL : got;
}

/* What /proc/meminfo calls MemAvailable, in bytes; 0 when unknown. */
static uint64_t memory_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	char line[128];
	unsigned long long kib = 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return (uint64_t)kib * 1024;
}

/* Pages the backings will hold: generation 0, and every generation that
 * is tagged (files, and anonymous memory prepared for mremap).  hugetlb
 * pages come from their own pool, which huge.c counts. */
static uint64_t backing_pages(const struct mml_program *p)
{
	uint64_t n = p->backing == MML_BACKING_HUGETLB ? 0 : p->pages;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct mml_op *op = &p->ops[i];
		const struct mml_op_class *cls = mml_op_class(op->kind);
		bool tagged = op->backing != MML_BACKING_ANON || cls->prepare;
		if (cls->needs_store && tagged && op->backing != MML_BACKING_HUGETLB)
			n += op->hi - op->lo;
	}
	return n;
}

/* Refuse up front what would end in the OOM killer half-way through. */
static int check_memory(struct runner *x)
{
	enum { SMALL = 64 << 20 }; /* fits anywhere; not worth a file read */
	uint64_t need = backing_pages(x->p) * x->page_size;
	if (need <= SMALL)
		return 0;
	uint64_t available = memory_available();
	if (available == 0 || need <= available)
		return 0;
	snprintf(x->r->error, sizeof x->r->error,
		 "the backings need %.1f MiB and only %.1f MiB of memory is available",
		 (double)need / (1 << 20), (double)available / (1 << 20));
	return -1;
}

/* Generation j has a store of its own: 0, and every op that installs a
 * new generation. */
static bool owns_store(const struct mml_program *p, unsigned j)
{
	return j == 0 || mml_op_class(p->ops[j - 1].kind)->needs_store;
}

/* Anonymous memory is tagged through the region, so it stays writable. */
static void mark_read_only(const struct mml_program *p, struct mml_store *s)
{
	s->read_only = p->read_only && mml_store_is_file(s);
}

static int open_stores(struct runner *x)
{
	const struct mml_program *p = x->p;
	const char *what = "backing";
	struct mml_shelf *shelf = x->c->shelf;
	int err = mml_store_take(shelf, &x->stores[0], p->backing, p->pages, 0,
				 p->pages, x->page_size, p->page_order, &what);
	if (err)
		return fail(x, what, err);
	mark_read_only(p, &x->stores[0]);
	for (unsigned j = 1; j <= p->nops; j++) {
		const struct mml_op *op = &p->ops[j - 1];
		if (!owns_store(p, j))
			continue;
		err = mml_store_take(shelf, &x->stores[j], op->backing, p->pages,
				     op->lo, op->hi, x->page_size, p->page_order,
				     &what);
		if (err)
			return fail(x, what, err);
		mark_read_only(p, &x->stores[j]);
	}
	return 0;
}

/* Where mremap's source goes: at the same offset as its destination
 * modulo 2 MiB (pmd) or 1 GiB (pud), so that the kernel can move whole
 * page tables, or one folio off (pte), so that it cannot. */
static uintptr_t staging_offset(const struct runner *x, const struct mml_op *op,
				uintptr_t dest, size_t *modulus)
{
	size_t folio = pages_len(x, 1u << x->p->page_order);
	size_t pmd = (size_t)2 << 20, pud = (size_t)1 << 30;
	switch (op->align) {
	case MML_ALIGN_PUD:
		*modulus = pud;
		return dest % pud;
	case MML_ALIGN_PMD:
		*modulus = pmd;
		return dest % pmd;
	case MML_ALIGN_PTE:
	case MML_ALIGN_COUNT:
		break;
	}
	*modulus = folio < pmd ? pmd : pud;
	return (dest + folio) % *modulus;
}

static int reserve_staging(struct runner *x)
{
	for (unsigned j = 1; j <= x->p->nops; j++) {
		const struct mml_op *op = &x->p->ops[j - 1];
		if (!mml_op_class(op->kind)->staged)
			continue;
		uintptr_t dest = (uintptr_t)x->region + pages_len(x, op->lo);
		size_t modulus;
		uintptr_t offset = staging_offset(x, op, dest, &modulus);
		x->window_len[j] = pages_len(x, op->hi - op->lo) + modulus;
		x->window[j] = reserve_new(x->window_len[j]);
		if (!x->window[j])
			return fail(x, "reserving a staging range", -errno);
		uintptr_t base = (uintptr_t)x->window[j];
		x->staging[j] = x->window[j] + (offset + modulus - base % modulus) % modulus;
	}
	return 0;
}

const char *mml_run_unavailable(const struct mml_program *p)
{
	for (unsigned i = 0; i < p->nops; i++)
		if (p->ops[i].kind == MML_OP_MIGRATE && mml_far_node() < 0)
			return "migrate needs a second NUMA node, and this machine has one";
	return mml_huge_unavailable(p);
}

static int check_features(struct runner *x)
{
	const char *why = mml_run_unavailable(x->p);
	if (why)
		snprintf(x->r->error, sizeof x->r->error, "%s", why);
	return why ? -1 : 0;
}

static int check_cpu(struct runner *x, int cpu)
{
	if (cpu == MML_NO_CPU)
		return 0;
	if (cpu < CPU_SETSIZE && CPU_ISSET(cpu, &x->saved_affinity))
		return 0;
	snprintf(x->r->error, sizeof x->r->error,
		 "CPU %d is not available to this process (it may use %d CPUs)",
		 cpu, CPU_COUNT(&x->saved_affinity));
	return -1;
}

static int pin_mapper(struct runner *x)
{
	if (sched_getaffinity(0, sizeof x->saved_affinity, &x->saved_affinity) < 0)
		return fail(x, "sched_getaffinity", -errno);
	if (check_cpu(x, x->p->mapper_cpu))
		return -1;
	for (unsigned i = 0; i < x->p->nreaders; i++)
		if (check_cpu(x, x->p->readers[i].cpu))
			return -1;
	if (x->p->mapper_cpu == MML_NO_CPU)
		return 0;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(x->p->mapper_cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) < 0)
		return fail(x, "pinning the mapper", -errno);
	x->pinned = true;
	return 0;
}

static void wait_count(struct mml_parking *count, uint32_t expected)
{
	uint32_t now;
	while ((now = atomic_load(&count->word)) != expected)
		mml_park_while(count, now);
}

static int start_readers(struct runner *x)
{
	const struct mml_program *p = x->p;
	unsigned keep = 2 * x->c->evidence;
	for (unsigned i = 0; i < p->nreaders; i++) {
		struct mml_reader_thread *t = &x->readers[i];
		t->id = i;
		t->shared = x->shared;
		t->peers = x->readers;
		t->keep = keep;
		t->seen = malloc(p->pages);
		t->kept = calloc(keep + MML_CLASS_COUNT, sizeof *t->kept);
		/* Always: a finding is confirmed from the ring before it is
		 * reported. */
		if (!(t->trace.ring = malloc(MML_TRACE_ENTRIES * sizeof *t->trace.ring)))
			return fail(x, "reader set-up", -ENOMEM);
		if (!t->seen || !t->kept ||
		    mml_reader_order(t, &p->readers[i], p->pages, x->c->seed + i + 1))
			return fail(x, "reader set-up", -ENOMEM);
	}
	for (unsigned i = 0; i < p->nreaders; i++) {
		int worker = mml_crew_start(x->crew, p->readers[i].cpu,
					    mml_reader_main, &x->readers[i]);
		if (worker < 0)
			return fail(x, "starting a reader thread (pinning it)", worker);
		x->workers[x->threads++] = worker;
	}
	wait_count(&x->shared->arrived, x->threads);
	for (unsigned i = 0; i < p->nreaders; i++)
		if (x->readers[i].start_error)
			return fail(x, "reader start-up (signal stack)",
				    x->readers[i].start_error);
	x->parties = x->threads;
	return 0;
}

/* After the readers, so that arrivals are counted one group at a time. */
static int start_perturber(struct runner *x)
{
	struct mml_perturber *t = &x->perturber;
	if (x->p->perturb == MML_PERTURB_NONE)
		return 0;
	*t = (struct mml_perturber){.kind = x->p->perturb, .shared = x->shared};
	t->scratch = reserve_new(x->page_size);
	t->window = reserve_new(x->page_size);
	if (!t->scratch || !t->window ||
	    mprotect(t->scratch, x->page_size, PROT_READ | PROT_WRITE))
		return fail(x, "perturber set-up", -errno);
	t->scratch[0] = 0;
	atomic_store(&x->shared->arrived.word, 0);
	x->perturber_worker = mml_crew_start(x->crew, MML_NO_CPU,
					     mml_perturber_main, t);
	if (x->perturber_worker < 0)
		return fail(x, "starting the perturber thread", x->perturber_worker);
	x->perturbing = true;
	wait_count(&x->shared->arrived, 1);
	x->parties++;
	return 0;
}

/* The ops whose racing reads are counted over their whole range: those
 * that cover no page (reader.h, mml_races_op). */
static void find_quiet_ops(struct runner *x)
{
	mml_reader_quiet(x->p, &x->history, x->quiet);
	for (unsigned j = 1; j <= x->p->nops; j++)
		x->r->ops[j].whole_range = x->quiet[j].lo < x->quiet[j].hi;
}

static void init_shared(struct runner *x)
{
	struct mml_shared *sh = x->shared;
	memset(sh, 0, sizeof *sh);
	sh->final_state = mml_state_done(x->p->nops);
	sh->share = x->p->share;
	sh->write = x->p->write;
	sh->reader_yield = x->p->reader_yield;
	sh->history = &x->history;
	sh->atomic = x->atomic;
	sh->quiet = x->quiet;
	sh->region = x->region;
	sh->page_size = x->page_size;
	atomic_store(&sh->mapper_cpu, sched_getcpu());
}

static int set_up(struct runner *x)
{
	const struct mml_program *p = x->p;
	x->page_size = (size_t)sysconf(_SC_PAGESIZE);
	x->rng = x->c->seed;
	for (unsigned j = 0; j <= p->nops; j++)
		x->stores[j].fd = -1;
	x->r->run_base = (uint32_t)mml_rng_next(&x->rng) & ((1u << MML_RUN_BITS) - 1);
	if (check_memory(x) || check_features(x))
		return -1;
	x->region = mml_reserve_aligned(pages_len(x, p->pages),
					pages_len(x, 1u << p->page_order));
	if (!x->region)
		return fail(x, "reserving the region", -errno);
	if (open_stores(x) || reserve_staging(x))
		return -1;
	if (mml_history_build(&x->history, p))
		return fail(x, "oracle tables", -ENOMEM);
	find_quiet_ops(x);
	for (unsigned j = 1; j <= p->nops; j++)
		x->refill |= mml_op_class(p->ops[j - 1].kind)->releases_file;
	for (unsigned j = 1; j <= p->nops; j++)
		x->atomic[j] = mml_op_atomic(p, j);
	x->shared = aligned_alloc(64, sizeof *x->shared);
	x->readers = aligned_alloc(64, p->nreaders * sizeof *x->readers);
	if (!x->shared || !x->readers)
		return fail(x, "set-up", -ENOMEM);
	memset(x->readers, 0, p->nreaders * sizeof *x->readers);
	for (unsigned i = 0; i < p->nreaders; i++)
		x->oracles[i] = &x->readers[i].oracle;
	if (p->write && !(x->resident = malloc(p->pages)))
		return fail(x, "set-up", -ENOMEM);
	if (pin_mapper(x))
		return -1;
	init_shared(x);
	int err = mml_guard_install();
	if (err)
		return fail(x, "installing the fault handlers", err);
	x->guarded = true;
	x->target = (struct mml_target){.base = x->region,
					.page_size = x->page_size,
					.stores = x->stores,
					.staging = x->staging,
					.step = 1u << p->page_order,
					.far_node = mml_far_node()};
	if (start_readers(x))
		return -1;
	return start_perturber(x);
}

static void tear_down(struct runner *x)
{
	struct mml_shared *sh = x->shared;
	if (x->threads || x->perturbing) {
		atomic_store(&sh->quit, true);
		mml_park_add(&sh->go, 1);
		for (unsigned i = 0; i < x->threads; i++)
			mml_crew_wait(x->crew, x->workers[i]);
	}
	if (x->perturbing)
		mml_crew_wait(x->crew, x->perturber_worker);
	if (x->crew == &x->own_crew)
		mml_crew_close(x->crew);
	if (x->perturber.scratch)
		munmap(x->perturber.scratch, x->page_size);
	if (x->perturber.window)
		munmap(x->perturber.window, x->page_size);
	x->r->perturbations = x->perturber.rounds;
	for (unsigned i = 0; x->readers && i < x->p->nreaders; i++) {
		free(x->readers[i].order);
		free(x->readers[i].seen);
		free(x->readers[i].kept);
		free(x->readers[i].trace.ring);
	}
	if (x->guarded)
		mml_guard_uninstall();
	if (x->pinned)
		sched_setaffinity(0, sizeof x->saved_affinity, &x->saved_affinity);
	/* A store an op truncated or punched is not whole: not kept. */
	struct mml_shelf *shelf = x->refill ? NULL : x->c->shelf;
	for (unsigned j = 0; j <= x->p->nops; j++)
		mml_store_shelve(shelf, &x->stores[j]);
	for (unsigned j = 1; j <= x->p->nops; j++)
		if (x->window[j])
			munmap(x->window[j], x->window_len[j]);
	if (x->region)
		munmap(x->region, pages_len(x, x->p->pages));
	mml_history_free(&x->history);
	free(x->shared);
	free(x->readers);
	free(x->resident);
}

/* Whether generation 0 really got the folios the program asked for: in
 * the first iteration, and then whenever the count is a power of two, so
 * that a run that loses them part-way shows it, at a cost that does not
 * grow with the run.  A file the readers fault in is not mapped yet; its
 * own view maps the same folios. */
static void count_huge(struct runner *x)
{
	uint64_t i = x->r->iterations;
	if (x->p->page_order == 0 || (i & (i - 1)) != 0)
		return;
	const struct mml_store *s = &x->stores[0];
	bool unmapped = mml_store_is_file(s) && !x->p->populate;
	struct mml_huge_count c;
	mml_huge_count(unmapped ? s->view : x->region, x->p->pages,
		       x->p->page_order, &c);
	x->r->huge.method = c.method;
	x->r->huge.blocks += c.blocks;
	x->r->huge.mapped += c.mapped;
	x->r->huge_checks++;
}

/* Generation 0 over the whole region, every store re-tagged for this run,
 * every op's staging prepared: all before any reader looks. */
static int reset(struct runner *x, uint32_t run)
{
	const struct mml_program *p = x->p;
	for (unsigned j = 0; j <= p->nops; j++) {
		const struct mml_store *s = &x->stores[j];
		if (!owns_store(p, j) || !mml_store_is_file(s))
			continue;
		int err = x->refill ? mml_store_refill(s) : 0;
		if (err)
			return fail(x, "allocating a backing file again", err);
		mml_store_tag(s, run, j);
		if (p->write)
			mml_write_clear(s->view + pages_len(x, s->lo), x->page_size,
					s->lo, s->hi, p->nreaders);
	}
	int err = mml_store_install(&x->stores[0], x->region, 0, p->pages, run,
				    0, p->populate);
	if (err)
		return fail(x, "installing generation 0", err);
	count_huge(x);
	x->target.run = run;
	for (unsigned j = 1; j <= p->nops; j++) {
		const struct mml_op *op = &p->ops[j - 1];
		const struct mml_op_class *cls = mml_op_class(op->kind);
		if (cls->prepare && (err = cls->prepare(&x->target, op, j)))
			return fail(x, "preparing an op", err);
	}
	return 0;
}

static void delay(struct runner *x)
{
	uint64_t amount = mml_rng_any_scale(&x->rng, x->p->delay_amount);
	switch (x->p->delay) {
	case MML_DELAY_SPIN:
		for (uint64_t i = 0; i < amount; i++)
			mml_cpu_relax();
		break;
	case MML_DELAY_YIELD:
		sched_yield();
		break;
	case MML_DELAY_SLEEP: {
		struct timespec ts = {0, (long)(amount % 1000000000u)};
		nanosleep(&ts, NULL);
		break;
	}
	case MML_DELAY_NONE:
	case MML_DELAY_COUNT:
		break;
	}
}

static void count_latency(struct mml_result *r, enum mml_op_kind kind,
			  double seconds)
{
	unsigned bucket = 0;
	for (double us = seconds * 1e6; us >= 2 && bucket + 1 < MML_LATENCY_BUCKETS; us /= 2)
		bucket++;
	r->op_latency[kind][bucket]++;
}

/* A best-effort op the kernel refused: counted, the run goes on. */
static void count_refusal(struct mml_result *r, unsigned j, int err)
{
	struct mml_op_result *o = &r->ops[j];
	o->refusals++;
	if (!o->refusal)
		o->refusal = -err;
}

/* Op j, with the mark of its visible change's end stored between the
 * syscall that makes the change and the work that follows it (ops.h,
 * finish; reader.h, MML_STATE_CHANGED). */
static int apply_op(struct runner *x, const struct mml_op *op, unsigned j)
{
	const struct mml_op_class *cls = mml_op_class(op->kind);
	int err = cls->apply(&x->target, op, j);
	if (err && cls->best_effort) {
		count_refusal(x->r, j, err);
		return 0;
	}
	if (err || !cls->finish)
		return err;
	atomic_store(&x->shared->state, mml_state_running(j) | MML_STATE_CHANGED);
	return cls->finish(&x->target, op, j);
}

/* The mapper's part of an iteration.  `started` is published before the
 * op's first syscall and `completed` after its last returned; seq_cst, so
 * that on any architecture a reader that sees the op's effect also sees
 * that it started. */
static int apply_ops(struct runner *x)
{
	const struct mml_program *p = x->p;
	struct mml_shared *sh = x->shared;
	for (unsigned j = 1; j <= p->nops; j++) {
		const struct mml_op *op = &p->ops[j - 1];
		delay(x);
		if (p->mapper_cpu == MML_NO_CPU)
			atomic_store_explicit(&sh->mapper_cpu, sched_getcpu(),
					      memory_order_relaxed);
		double began = mml_now_seconds();
		atomic_store(&sh->state, mml_state_running(j));
		int err = apply_op(x, op, j);
		atomic_store(&sh->state, mml_state_done(j));
		count_latency(x->r, op->kind, mml_now_seconds() - began);
		if (err) {
			char name[96], what[128];
			mml_op_format(op, name, sizeof name);
			snprintf(what, sizeof what, "op %u (%s)", j, name);
			atomic_store(&sh->state, sh->final_state);
			return fail(x, what, err);
		}
	}
	return 0;
}

/* Writer mode, after the readers arrived: the words their stores left in
 * every file, judged into their oracles.  A page an op truncated or
 * punched out is not in memory and is skipped: what was stored there went
 * with it, and the view past the file's end would SIGBUS.  Stores into
 * anonymous memory are gone with their mappings: never judged. */
static int check_writes(struct runner *x)
{
	const struct mml_program *p = x->p;
	for (unsigned j = 0; j <= p->nops; j++) {
		const struct mml_store *s = &x->stores[j];
		if (!owns_store(p, j) || !mml_store_is_file(s))
			continue;
		char *first = s->view + pages_len(x, s->lo);
		if (mincore(first, pages_len(x, s->hi - s->lo), x->resident) < 0)
			return fail(x, "mincore of a backing file", -errno);
		x->r->checked_writes += mml_write_scan(x->oracles, p->nreaders, j, first,
						       x->page_size, s->lo, s->hi,
						       x->resident);
	}
	return 0;
}

static bool same_read(const struct mml_obs *a, const struct mml_obs *b)
{
	return a->reader == b->reader && a->sweep == b->sweep && a->index == b->index;
}

/* Two violations of one class that rest on the same new read, or on the
 * same pair of pages, show a person the same thing twice. */
static bool same_shape(const struct mml_violation *a, const struct mml_violation *b)
{
	if (a->cls != b->cls || a->finding != b->finding ||
	    a->known.source != b->known.source)
		return false;
	bool same_pages = a->known.obs.page == b->known.obs.page &&
			  a->obs.page == b->obs.page;
	return same_pages || (a->run == b->run && same_read(&a->known.obs, &b->known.obs));
}

static bool shape_kept(const struct mml_result *r, const struct mml_violation *v)
{
	for (unsigned i = 0; i < r->nevidence; i++)
		if (same_shape(&r->evidence[i], v))
			return true;
	return false;
}

/* The first findings and the first expected violations, as many as the
 * config asks each, each of a shape not kept yet, and the first of every
 * class beyond that. */
static void keep_evidence(struct runner *x, const struct mml_violation *v)
{
	struct mml_result *r = x->r;
	unsigned *kept = v->finding ? &x->findings_kept : &x->expected_kept;
	bool first = !(x->kept_classes & 1u << v->cls);
	if (x->c->evidence == 0 || r->nevidence >= MML_EVIDENCE_MAX ||
	    (*kept >= x->c->evidence && !first) || shape_kept(r, v))
		return;
	if (*kept < x->c->evidence)
		(*kept)++;
	x->kept_classes |= 1u << v->cls;
	r->evidence[r->nevidence++] = *v;
}

/* The reader's first finding on a read, decided by the reference.
 * Findings of writer mode rest on store words, which it does not model. */
static enum mml_confirmation confirm_reader(struct runner *x,
					   const struct mml_reader_thread *t,
					   const struct mml_violation **first)
{
	const struct mml_oracle *o = &t->oracle;
	for (unsigned k = 0; k < o->nkept; k++) {
		const struct mml_violation *v = &o->kept[k];
		if (!v->finding || mml_class_is_write(v->cls))
			continue;
		struct mml_result *r = x->r;
		bool first_confirmed = r->confirmations[MML_CONFIRMED] == 0;
		unsigned core;
		enum mml_confirmation c = mml_confirm(x->p, &x->history, &t->trace, v,
						      first_confirmed ? &core : NULL);
		r->confirmations[c]++;
		if (c == MML_CONFIRMED && first_confirmed)
			r->first_core = core;
		*first = v;
		return c;
	}
	return MML_CONFIRMATION_COUNT;
}

static void merge_reader(struct runner *x, const struct mml_reader_thread *t,
			 unsigned *classes, bool *finding)
{
	const struct mml_violation *first = NULL;
	bool disagrees = confirm_reader(x, t, &first) == MML_DISAGREES;
	if (disagrees && x->r->disagreeing_findings == 0)
		x->r->disagreement = *first;
	struct mml_result *r = x->r;
	r->reads += t->reads;
	r->sweeps += t->sweeps;
	r->holes += t->holes;
	r->racing_reads += t->racing_reads;
	r->shared_cpu_reads += t->shared_cpu_reads;
	r->shared_cpu_sweeps += t->shared_cpu_sweeps;
	r->early_new += t->oracle.early_new;
	r->writes += t->writes;
	r->faulted_writes += t->faulted_writes;
	r->unchecked_writes += t->unchecked_writes;
	r->racing_writes += t->racing_writes;
	for (int b = 0; b < MML_SWEEP_BUCKETS; b++)
		r->sweep_values[b] += t->sweep_values[b];
	for (unsigned j = 1; j <= x->p->nops; j++)
		r->ops[j].racing_reads += t->op_racing_reads[j];
	*classes |= t->oracle.classes;
	for (int c = 0; c < MML_CLASS_COUNT; c++) {
		r->count[c][0] += t->oracle.count[c][0];
		if (disagrees) {
			r->disagreeing_findings += t->oracle.count[c][1];
			continue;
		}
		r->count[c][1] += t->oracle.count[c][1];
		*finding |= t->oracle.count[c][1] > 0;
	}
	for (unsigned i = 0; i < t->oracle.nkept; i++)
		if (!disagrees || !t->oracle.kept[i].finding)
			keep_evidence(x, &t->oracle.kept[i]);
}

/* The violation a picture labels: the iteration's first finding, else its
 * first violation; of the reads, which are what a picture shows. */
static bool first_violation(const struct runner *x, struct mml_violation *v)
{
	bool found = false;
	for (unsigned i = 0; i < x->p->nreaders; i++) {
		const struct mml_oracle *o = &x->readers[i].oracle;
		for (unsigned k = 0; k < o->nkept; k++) {
			if (mml_class_is_write(o->kept[k].cls))
				continue;
			if (o->kept[k].finding) {
				*v = o->kept[k];
				return true;
			}
			if (!found)
				*v = o->kept[k];
			found = true;
		}
	}
	return found;
}

/* Keeps this iteration's traces unless an earlier one already fired. */
static void capture_iteration(struct runner *x, bool fired)
{
	struct mml_capture *c = x->c->capture;
	if (c->fired || (x->c->capture_violations && !fired))
		return;
	for (unsigned i = 0; i < x->p->nreaders; i++)
		mml_trace_copy(&x->readers[i].trace, c, i);
	c->nreaders = x->p->nreaders;
	c->filled = true;
	c->fired = fired;
	c->marked = first_violation(x, &c->mark);
}

/* Returns 1 when the iteration should end the run, as the config asks. */
static int merge_iteration(struct runner *x)
{
	struct mml_result *r = x->r;
	unsigned classes = 0;
	bool finding = false, racing = false, early = false;
	for (unsigned i = 0; i < x->p->nreaders; i++) {
		const struct mml_reader_thread *t = &x->readers[i];
		merge_reader(x, t, &classes, &finding);
		racing |= t->racing_reads > 0;
		early |= t->oracle.early_new > 0;
	}
	if (classes && r->violation_iterations == 0)
		r->first_violation_seconds = mml_now_seconds() - x->started_at;
	r->iterations++;
	r->histogram[classes]++;
	r->violation_iterations += classes != 0;
	r->finding_iterations += finding;
	r->racing_iterations += racing;
	r->early_new_iterations += early;
	if (x->c->capture)
		capture_iteration(x, finding || (classes && (x->c->capture_violations ||
							     mml_program_has_control(x->p))));
	return (finding && x->c->stop_on_finding) ||
	       (classes && x->c->stop_on_violation);
}

static int iterate(struct runner *x)
{
	struct mml_shared *sh = x->shared;
	uint32_t run = (x->r->run_base + (uint32_t)x->r->iterations) &
		       ((1u << MML_RUN_BITS) - 1);
	if (reset(x, run))
		return -1;
	sh->run = run;
	atomic_store(&sh->state, 0);
	atomic_store(&sh->knowledge, 0);
	atomic_store(&sh->arrived.word, 0);
	atomic_store(&sh->running.word, 0);
	mml_park_add(&sh->go, 1);
	/* A reader still waking up from a futex would miss the whole op. */
	wait_count(&sh->running, x->parties);
	int err = apply_ops(x);
	wait_count(&sh->arrived, x->parties);
	if (err || (x->p->write && check_writes(x)))
		return -1;
	return merge_iteration(x);
}

static void show_progress(struct runner *x, double now, bool last)
{
	if (!x->c->progress)
		return;
	double elapsed = now - x->started_at;
	if (!last && (elapsed < 2.0 || now < x->progress_at))
		return;
	if (last && !x->progress_shown)
		return;
	const struct mml_result *r = x->r;
	fprintf(stderr, "\r%7.1fs  %9.0f it/s  %7.2fM reads/s  violations %llu  findings %llu%s",
		elapsed, (double)r->iterations / elapsed,
		(double)r->reads / elapsed / 1e6,
		(unsigned long long)mml_result_violations(r),
		(unsigned long long)mml_result_findings(r), last ? "\n" : "");
	x->progress_at = now + 0.5;
	x->progress_shown = true;
}

static bool should_stop(struct runner *x, double now)
{
	const struct mml_config *c = x->c;
	if (c->stop && *c->stop) {
		x->r->interrupted = true;
		return true;
	}
	if (c->iterations && x->r->iterations >= c->iterations)
		return true;
	return c->seconds > 0 && now - x->started_at >= c->seconds;
}

int mml_run(const struct mml_program *p, const struct mml_config *c,
	    struct mml_result *r)
{
	memset(r, 0, sizeof *r);
	const char *why = mml_program_check(p);
	if (why) {
		snprintf(r->error, sizeof r->error, "%s", why);
		return -1;
	}
	struct mml_program placed = *p;
	mml_program_place(&placed);
	struct runner x = {.p = &placed, .c = c, .r = r};
	x.crew = c->crew ? c->crew : &x.own_crew;
	int status = set_up(&x);
	x.started_at = mml_now_seconds();
	double now = x.started_at;
	while (status == 0) {
		int got = iterate(&x);
		now = mml_now_seconds();
		show_progress(&x, now, false);
		if (got < 0)
			status = -1;
		else if (got || should_stop(&x, now))
			break;
	}
	r->seconds = now - x.started_at;
	show_progress(&x, now, true);
	tear_down(&x);
	return status;
}

uint64_t mml_result_findings(const struct mml_result *r)
{
	uint64_t n = 0;
	for (int c = 0; c < MML_CLASS_COUNT; c++)
		n += r->count[c][1];
	return n;
}

uint64_t mml_result_violations(const struct mml_result *r)
{
	uint64_t n = 0;
	for (int c = 0; c < MML_CLASS_COUNT; c++)
		n += r->count[c][0] + r->count[c][1];
	return n;
}

uint64_t mml_result_class_iterations(const struct mml_result *r, int c)
{
	uint64_t n = 0;
	for (unsigned m = 0; m < 1u << MML_CLASS_COUNT; m++)
		if (m & 1u << c)
			n += r->histogram[m];
	return n;
}

int mml_result_top_class(const struct mml_result *r, bool finding)
{
	int top = 0;
	for (int c = 1; c < MML_CLASS_COUNT; c++)
		if (r->count[c][finding] > r->count[top][finding])
			top = c;
	return top;
}

const struct mml_violation *mml_result_evidence_of(const struct mml_result *r,
						   int cls, bool finding)
{
	for (unsigned i = 0; i < r->nevidence; i++)
		if ((int)r->evidence[i].cls == cls && r->evidence[i].finding == finding)
			return &r->evidence[i];
	return NULL;
}

bool mml_fired(const struct mml_program *p, const struct mml_result *r)
{
	return mml_result_findings(r) || r->disagreeing_findings ||
	       (mml_program_has_control(p) && mml_result_violations(r) > 0);
}
