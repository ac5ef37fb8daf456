#include "reader.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "tag.h"
#include "writer.h"

static void order_stride(uint32_t *out, uint32_t pages, uint32_t stride)
{
	uint32_t n = 0;
	for (uint32_t start = 0; start < stride; start++)
		for (uint32_t p = start; p < pages; p += stride)
			out[n++] = p;
}

static void order_pingpong(uint32_t *out, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++)
		out[i] = i % 2 ? pages - 1 - i / 2 : i / 2;
}

/* Fisher-Yates: shuffling any permutation again gives a uniform one. */
static void shuffle(uint32_t *order, uint32_t n, uint64_t *rng)
{
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)mml_rng_upto(rng, i);
		uint32_t tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
}

int mml_reader_order(struct mml_reader_thread *t, const struct mml_reader *r,
		     uint32_t pages, uint64_t seed)
{
	t->norder = r->order == MML_ORDER_SINGLE ? 1 : pages;
	t->order = malloc(sizeof *t->order * t->norder);
	t->rng = seed;
	t->reshuffle = r->order == MML_ORDER_RANDOM;
	if (!t->order)
		return -ENOMEM;
	switch (r->order) {
	case MML_ORDER_ASC:
		order_stride(t->order, pages, 1);
		break;
	case MML_ORDER_DESC:
		for (uint32_t i = 0; i < pages; i++)
			t->order[i] = pages - 1 - i;
		break;
	case MML_ORDER_RANDOM:
		order_stride(t->order, pages, 1);
		shuffle(t->order, pages, &t->rng);
		break;
	case MML_ORDER_STRIDE:
		order_stride(t->order, pages, r->param);
		break;
	case MML_ORDER_PINGPONG:
		order_pingpong(t->order, pages);
		break;
	case MML_ORDER_SINGLE:
	case MML_ORDER_COUNT:
		t->order[0] = r->param;
		break;
	}
	return 0;
}

static bool covers_any(const struct mml_history *h, unsigned j)
{
	for (uint32_t page = 0; page < h->pages; page++)
		if (mml_history_covers(h, page, j))
			return true;
	return false;
}

void mml_reader_quiet(const struct mml_program *p, const struct mml_history *h,
		      struct mml_span *quiet)
{
	for (unsigned j = 1; j <= p->nops; j++) {
		const struct mml_op *op = &p->ops[j - 1];
		quiet[j] = covers_any(h, j) ? (struct mml_span){0, 0}
					    : (struct mml_span){op->lo, op->hi};
	}
}

static void publish(struct mml_reader_thread *t)
{
	struct mml_shared *sh = t->shared;
	uint8_t m = t->oracle.k.m;
	t->raised[m] = t->oracle.k;
	uint32_t mine = (uint32_t)m << 8 | t->id;
	uint32_t now = atomic_load_explicit(&sh->knowledge, memory_order_relaxed);
	while (now >> 8 < m &&
	       !atomic_compare_exchange_weak_explicit(&sh->knowledge, &now, mine,
						      memory_order_release,
						      memory_order_relaxed))
		;
}

static void learn(struct mml_reader_thread *t)
{
	uint32_t k = atomic_load_explicit(&t->shared->knowledge, memory_order_acquire);
	if (k >> 8 > t->oracle.k.m)
		mml_oracle_learn(&t->oracle, &t->peers[k & 0xff].raised[k >> 8]);
}

/* Writer mode: the reader's own word into the page it has just read,
 * saying what it knew (writer.h).  A store between two loads of the same
 * odd state sat wholly inside an op window, as a racing read does. */
static void write_page(struct mml_reader_thread *t, const struct mml_obs *ob,
		       bool on_mapper_cpu)
{
	struct mml_shared *sh = t->shared;
	bool anon;
	uint64_t word = mml_write_word_for(&t->oracle, ob, &anon);
	_Atomic uint64_t *slot = (_Atomic uint64_t *)(sh->region +
		(size_t)ob->page * sh->page_size + mml_write_slot(t->id));
	if (!mml_guard_store(&t->guard, slot, word)) {
		t->faulted_writes++;
		return;
	}
	uint8_t after = (uint8_t)atomic_load_explicit(&sh->state, memory_order_acquire);
	t->writes++;
	t->unchecked_writes += anon;
	t->racing_writes += after == ob->after && (after & 1) && !on_mapper_cpu;
}

/* One read: mapper state before, guarded load, mapper state after. */
static inline void read_page(struct mml_reader_thread *t, uint32_t page,
			     bool on_mapper_cpu)
{
	struct mml_shared *sh = t->shared;
	struct mml_obs ob = {.index = t->reads, .page = page,
			     .sweep = (uint32_t)t->sweeps, .reader = (uint8_t)t->id};
	uint32_t before = atomic_load_explicit(&sh->state, memory_order_acquire);
	ob.before = (uint8_t)before;
	if (sh->share)
		learn(t);
	const _Atomic uint64_t *word =
		(const _Atomic uint64_t *)(sh->region + (size_t)page * sh->page_size);
	if (mml_guard_load(&t->guard, word, &ob.raw)) {
		ob.value = mml_tag_value(ob.raw, sh->run, page, sh->history->ngens);
	} else {
		ob.raw = 0;
		ob.value = MML_V_HOLE;
		t->holes++;
	}
	uint32_t after = atomic_load_explicit(&sh->state, memory_order_acquire);
	ob.after = (uint8_t)after;
	t->sweep_mask |= 1ull << (ob.value < 63 ? ob.value : 63);
	int seen = mml_oracle_observe(&t->oracle, &ob);
	if (t->trace.remaining)
		mml_trace_add(&t->trace, &ob, seen & MML_OBSERVED_VIOLATION);
	if ((seen & MML_OBSERVED_RAISED) && sh->share)
		publish(t);
	if (sh->write)
		write_page(t, &ob, on_mapper_cpu);
	/* Inside an op's window for the whole read.  A read that blocked in
	 * a fault until the op finished is not one: the state moved. */
	if (ob.before == ob.after && (ob.before & 1)) {
		if (on_mapper_cpu)
			t->shared_cpu_reads++;
		else
			mml_count_racing(t, page, before, after);
	}
	t->reads++;
	if (sh->reader_yield && t->reads % sh->reader_yield == 0)
		sched_yield();
}

static void sweep(struct mml_reader_thread *t)
{
	int mapper_cpu = atomic_load_explicit(&t->shared->mapper_cpu,
					      memory_order_relaxed);
	bool on_mapper_cpu = sched_getcpu() == mapper_cpu;
	t->shared_cpu_sweeps += on_mapper_cpu;
	t->sweep_mask = 0;
	for (uint32_t i = 0; i < t->norder; i++)
		read_page(t, t->order[i], on_mapper_cpu);
	unsigned values = (unsigned)__builtin_popcountll(t->sweep_mask);
	t->sweep_values[(values < MML_SWEEP_BUCKETS ? values : MML_SWEEP_BUCKETS) - 1]++;
	t->sweeps++;
}

static void run_iteration(struct mml_reader_thread *t)
{
	struct mml_shared *sh = t->shared;
	mml_oracle_init(&t->oracle, sh->history, sh->atomic, t->seen, t->kept,
			t->keep);
	t->oracle.run = sh->run;
	t->reads = t->racing_reads = t->shared_cpu_reads = 0;
	t->holes = t->sweeps = t->shared_cpu_sweeps = 0;
	t->writes = t->faulted_writes = t->unchecked_writes = t->racing_writes = 0;
	memset(t->sweep_values, 0, sizeof t->sweep_values);
	memset(t->op_racing_reads, 0, sizeof t->op_racing_reads);
	mml_trace_reset(&t->trace);
	/* Sweep until one whole sweep began after the mapper was done. */
	for (;;) {
		bool last = atomic_load_explicit(&sh->state, memory_order_acquire) ==
			    sh->final_state;
		sweep(t);
		if (last)
			return;
	}
}

void *mml_reader_main(void *arg)
{
	struct mml_reader_thread *t = arg;
	struct mml_shared *sh = t->shared;
	t->start_error = mml_guard_enter(&t->guard, sh->region,
					 (size_t)sh->history->pages * sh->page_size);
	mml_park_add(&sh->arrived, 1);
	if (t->start_error)
		return NULL;
	uint32_t iteration = 0;
	for (;;) {
		iteration = mml_park_while(&sh->go, iteration);
		if (atomic_load(&sh->quit))
			break;
		/* A new page order every iteration, before the mapper may start. */
		if (t->reshuffle)
			shuffle(t->order, t->norder, &t->rng);
		mml_park_add(&sh->running, 1);
		run_iteration(t);
		mml_park_add(&sh->arrived, 1);
	}
	mml_guard_leave(&t->guard);
	return NULL;
}
