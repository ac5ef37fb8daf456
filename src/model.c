#include "model.h"

#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "oracle.h"
#include "rng.h"
#include "tag.h"

enum { BUDGET = 1000000 };

unsigned mml_choose(struct mml_chooser *c, unsigned n)
{
	if (n <= 1)
		return 0;
	if (c->at < c->len) {
		if (c->ranges)
			c->ranges[c->at] = (uint8_t)n;
		return c->data[c->at++] % n;
	}
	return (unsigned)(mml_rng_next(&c->rng) % n);
}

/* ---- programs ---- */

/* The op kinds whose values can be ambiguous or that change VMAs: ZERO
 * from several ops, HOLE from munmap, shrink, mprotect and truncate, an
 * old value restored, MADV_FREE's two values. */
static const enum mml_op_kind model_kinds[] = {
	MML_OP_MAPFIXED, MML_OP_MUNMAP, MML_OP_DONTNEED, MML_OP_MPROTECT,
	MML_OP_MPROTECT, MML_OP_SHRINK, MML_OP_PIECEWISE, MML_OP_FREE,
	MML_OP_REMOVE, MML_OP_PUNCH, MML_OP_TRUNCATE, MML_OP_MREMAP,
	MML_OP_GROW,
};

static enum mml_backing small_backing(struct mml_chooser *c)
{
	return mml_choose(c, 2) ? MML_BACKING_ANON : MML_BACKING_MEMFD;
}

static void draw_op(struct mml_chooser *c, uint32_t pages, struct mml_op *op)
{
	unsigned n = sizeof model_kinds / sizeof model_kinds[0];
	op->kind = model_kinds[mml_choose(c, n)];
	op->lo = mml_choose(c, pages);
	op->hi = op->lo + 1 + mml_choose(c, pages - op->lo);
	if (op->kind == MML_OP_TRUNCATE)
		op->hi = pages;
	op->backing = small_backing(c);
	op->prot = mml_choose(c, 2) ? MML_PROT_READ : MML_PROT_NONE;
	op->descending = mml_choose(c, 2);
}

bool mml_model_program(struct mml_chooser *c, unsigned max_pages,
		       unsigned max_ops, struct mml_program *p)
{
	mml_program_classic(p);
	p->pages = 1 + mml_choose(c, max_pages);
	p->backing = small_backing(c);
	p->nops = 1 + mml_choose(c, max_ops);
	for (unsigned i = 0; i < p->nops; i++)
		draw_op(c, p->pages, &p->ops[i]);
	return mml_program_check(p) == NULL;
}

/* ---- the kernel model: a timeline of the mapper's steps ---- */

/* The mapper's timeline: before op 1, then for each op its start, each of
 * its units applied in a chosen order, and its return. */
struct timeline {
	const struct mml_program *p;
	const struct mml_history *h;
	int64_t unit[MML_MODEL_MAX_OPS + 1][MML_MODEL_MAX_PAGES];
	int64_t order[MML_MODEL_MAX_OPS + 1][MML_MODEL_MAX_PAGES]; /* units, in order */
	unsigned nunits[MML_MODEL_MAX_OPS + 1];
	unsigned op, applied; /* where the mapper is: op j running, units applied */
	uint8_t state;        /* the mapper's state word */
};

static void add_unit(struct timeline *t, unsigned j, int64_t u)
{
	for (unsigned k = 0; k < t->nunits[j]; k++)
		if (t->order[j][k] == u)
			return;
	t->order[j][t->nunits[j]++] = u;
}

static void shuffle_units(struct mml_chooser *c, int64_t *u, unsigned n)
{
	for (unsigned i = n; i > 1; i--) {
		unsigned k = mml_choose(c, i);
		int64_t tmp = u[i - 1];
		u[i - 1] = u[k];
		u[k] = tmp;
	}
}

static void timeline_init(struct timeline *t, struct mml_chooser *c,
			  const struct mml_program *p, const struct mml_history *h)
{
	memset(t, 0, sizeof *t);
	t->p = p;
	t->h = h;
	for (unsigned j = 1; j <= p->nops; j++) {
		for (uint32_t page = 0; page < p->pages; page++) {
			t->unit[j][page] = mml_check_unit(p, h, j, page, MML_MODEL_POLICY);
			if (t->unit[j][page] >= 0)
				add_unit(t, j, t->unit[j][page]);
		}
		shuffle_units(c, t->order[j], t->nunits[j]);
	}
}

static bool timeline_done(const struct timeline *t)
{
	return t->state == mml_state_done(t->p->nops);
}

static void timeline_step(struct timeline *t)
{
	if (t->state % 2 == 0) {
		t->op = t->state / 2u + 1;
		t->applied = 0;
		t->state++;
	} else if (t->applied < t->nunits[t->op]) {
		t->applied++;
	} else {
		t->state++;
	}
}

/* The history column page shows now: op j's, or the one before it while
 * op j runs and has not reached the page's unit. */
static unsigned timeline_column(const struct timeline *t, uint32_t page)
{
	if (t->state % 2 == 0)
		return t->state / 2u;
	int64_t u = t->unit[t->op][page];
	for (unsigned k = 0; k < t->applied && u >= 0; k++)
		if (t->order[t->op][k] == u)
			return t->op;
	return t->op - 1;
}

static uint8_t timeline_read(const struct timeline *t, struct mml_chooser *c,
			     uint32_t page)
{
	unsigned j = timeline_column(t, page);
	size_t at = (size_t)page * t->h->ngens + j;
	if (t->h->alt[at] != MML_V_BAD && mml_choose(c, 2))
		return t->h->alt[at];
	return t->h->value[at];
}

/* ---- legal traces ---- */

struct model_reader {
	unsigned phase; /* 0: load the state, 1: read, 2: load the state */
	unsigned reads;
	struct mml_check_read pending;
};

unsigned mml_model_legal_trace(struct mml_chooser *c, const struct mml_program *p,
			       const struct mml_history *h, unsigned nreaders,
			       unsigned nreads, struct mml_check_read *reads)
{
	struct timeline t;
	struct model_reader r[MML_MODEL_MAX_READERS] = {0};
	unsigned per_reader = nreads / nreaders, n = 0;
	int32_t last_of[MML_MODEL_MAX_READERS] = {-1, -1};
	timeline_init(&t, c, p, h);
	for (;;) {
		unsigned actors = 0, actor[1 + MML_MODEL_MAX_READERS];
		if (!timeline_done(&t))
			actor[actors++] = nreaders;
		for (unsigned i = 0; i < nreaders; i++)
			if (r[i].reads < per_reader)
				actor[actors++] = i;
		if (actors == 0)
			return n;
		unsigned a = actor[mml_choose(c, actors)];
		if (a == nreaders) {
			timeline_step(&t);
			continue;
		}
		struct model_reader *m = &r[a];
		struct mml_check_read *rd = &m->pending;
		if (m->phase == 0) {
			*rd = (struct mml_check_read){.before = t.state, .reader = (uint8_t)a,
						      .page = mml_choose(c, p->pages)};
			/* What the other reader had published by now. */
			rd->after_read = nreaders > 1 ? last_of[1 - a] : -1;
		} else if (m->phase == 1) {
			rd->value = timeline_read(&t, c, rd->page);
		} else {
			rd->after = t.state;
			last_of[a] = (int32_t)n;
			reads[n++] = *rd;
			m->reads++;
		}
		m->phase = (m->phase + 1) % 3;
	}
}

/* ---- arbitrary traces ---- */

static uint8_t any_value(struct mml_chooser *c, const struct mml_history *h,
			 uint32_t page)
{
	if (mml_choose(c, 16) == 0)
		return MML_V_BAD;
	unsigned pick = mml_choose(c, 2 * h->ngens);
	size_t at = (size_t)page * h->ngens + pick / 2;
	uint8_t v = pick % 2 ? h->alt[at] : h->value[at];
	return v == MML_V_BAD ? h->value[at] : v;
}

unsigned mml_model_any_trace(struct mml_chooser *c, const struct mml_program *p,
			     const struct mml_history *h,
			     struct mml_check_read *reads)
{
	unsigned n = 1 + mml_choose(c, 5), top = 2 * p->nops;
	uint8_t state = 0;
	for (unsigned i = 0; i < n; i++) {
		struct mml_check_read *rd = &reads[i];
		*rd = (struct mml_check_read){.page = mml_choose(c, p->pages),
					      .after_read = -1};
		state += (uint8_t)mml_choose(c, top - state + 2) / 2;
		rd->before = state;
		state += (uint8_t)mml_choose(c, top - state + 2) / 2;
		rd->after = state;
		rd->value = any_value(c, h, rd->page);
	}
	return n;
}

/* ---- judging ---- */

struct judge_reader {
	struct mml_oracle o;
	uint8_t seen[MML_MODEL_MAX_PAGES];
	struct mml_knowledge published; /* its last own raise */
};

static struct mml_obs to_obs(const struct mml_check_read *rd, unsigned index)
{
	return (struct mml_obs){.index = index, .page = rd->page,
				.reader = rd->reader, .value = rd->value,
				.before = rd->before, .after = rd->after};
}

void mml_model_oracle(const struct mml_program *p, const struct mml_history *h,
		      const struct mml_check_read *reads, unsigned n,
		      struct mml_model_verdict *v)
{
	memset(v, 0, sizeof *v);
	bool atomic[MML_MAX_OPS + 1] = {false};
	struct judge_reader r[MML_MODEL_MAX_READERS];
	struct mml_knowledge published[MML_MODEL_MAX_READS];
	for (unsigned j = 1; j <= p->nops; j++)
		atomic[j] = mml_op_atomic(p, j);
	for (unsigned i = 0; i < MML_MODEL_MAX_READERS; i++) {
		mml_oracle_init(&r[i].o, h, atomic, r[i].seen, NULL, 0);
		r[i].published = r[i].o.k;
	}
	for (unsigned i = 0; i < n; i++) {
		struct judge_reader *me = &r[reads[i].reader];
		int32_t w = reads[i].after_read;
		if (w >= 0)
			mml_oracle_learn(&me->o, &published[w]);
		struct mml_obs ob = to_obs(&reads[i], i);
		int flags = mml_oracle_observe(&me->o, &ob);
		if (flags & MML_OBSERVED_RAISED)
			me->published = me->o.k;
		published[i] = me->published;
		v->finding |= flags & MML_OBSERVED_FINDING;
		v->violation |= flags & MML_OBSERVED_VIOLATION;
	}
}

void mml_model_judge(const struct mml_program *p, const struct mml_history *h,
		     const struct mml_check_read *reads, unsigned n,
		     struct mml_model_verdict *v)
{
	mml_model_oracle(p, h, reads, n, v);
	struct mml_check_trace t = {p, h, reads, n};
	for (int m = 0; m < MML_MODEL_COUNT; m++)
		v->answer[m] = mml_check(&t, (enum mml_check_model)m, BUDGET, NULL);
}

/* Whether some reader's reads alone are inconsistent under the model. */
static bool one_reader_inconsistent(const struct mml_program *p,
				    const struct mml_history *h,
				    const struct mml_check_read *reads,
				    unsigned n, enum mml_check_model model)
{
	for (unsigned r = 0; r < MML_MODEL_MAX_READERS; r++) {
		struct mml_check_read mine[MML_MODEL_MAX_READS];
		unsigned k = 0;
		for (unsigned i = 0; i < n; i++)
			if (reads[i].reader == r) {
				mine[k] = reads[i];
				mine[k++].after_read = -1;
			}
		struct mml_check_trace t = {p, h, mine, k};
		if (k && mml_check(&t, model, BUDGET, NULL) == MML_CHECK_INCONSISTENT)
			return true;
	}
	return false;
}

static enum mml_model_gap classify_miss(const struct mml_program *p,
					const struct mml_history *h,
					const struct mml_check_read *reads,
					unsigned n, enum mml_check_model model,
					const struct mml_model_verdict *v)
{
	if (model == MML_MODEL_POLICY &&
	    v->answer[MML_MODEL_COARSE] == MML_CHECK_CONSISTENT)
		return MML_GAP_INSIDE_ONE_VMA;
	if (!one_reader_inconsistent(p, h, reads, n, model))
		return MML_GAP_ACROSS_READERS;
	return MML_GAP_UNNAMED;
}

enum mml_model_fault mml_model_compare(const struct mml_program *p,
				       const struct mml_history *h,
				       const struct mml_check_read *reads,
				       unsigned n,
				       const struct mml_model_verdict *v,
				       enum mml_model_gap *missed_finding,
				       enum mml_model_gap *missed_violation)
{
	enum mml_check_answer policy = v->answer[MML_MODEL_POLICY];
	enum mml_check_answer atomic = v->answer[MML_MODEL_ATOMIC];
	*missed_finding = *missed_violation = MML_GAP_NONE;
	if (policy == MML_CHECK_UNDECIDED || atomic == MML_CHECK_UNDECIDED)
		return MML_FAULT_UNDECIDED;
	if (v->finding && policy == MML_CHECK_CONSISTENT)
		return MML_FAULT_FALSE_FINDING;
	if (v->violation && atomic == MML_CHECK_CONSISTENT)
		return MML_FAULT_FALSE_VIOLATION;
	if (!v->finding && policy == MML_CHECK_INCONSISTENT)
		*missed_finding = classify_miss(p, h, reads, n, MML_MODEL_POLICY, v);
	if (!v->violation && atomic == MML_CHECK_INCONSISTENT)
		*missed_violation = classify_miss(p, h, reads, n, MML_MODEL_ATOMIC, v);
	return MML_FAULT_NONE;
}

static enum mml_model_fault fuzz_trace(const struct mml_program *p,
				       const struct mml_history *h,
				       const struct mml_check_read *reads,
				       unsigned n, bool legal)
{
	struct mml_model_verdict v;
	enum mml_model_gap mf, mv;
	mml_model_judge(p, h, reads, n, &v);
	enum mml_model_fault f = mml_model_compare(p, h, reads, n, &v, &mf, &mv);
	if (f == MML_FAULT_NONE && legal && v.finding)
		f = MML_FAULT_FALSE_FINDING;
	if (f == MML_FAULT_NONE)
		return f;
	fprintf(stderr, "model: %s in a%s trace of %u reads:\n",
		mml_model_fault_name(f), legal ? " legal" : "n arbitrary", n);
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr, "  reader %u page %u value %u before %u after %u learned-from %d\n",
			reads[i].reader, reads[i].page, reads[i].value,
			reads[i].before, reads[i].after, reads[i].after_read);
	return f;
}

enum mml_model_fault mml_model_fuzz(const uint8_t *data, size_t len)
{
	struct mml_chooser c = {data, len, 0, len, NULL};
	struct mml_program p;
	struct mml_history h;
	if (!mml_model_program(&c, MML_MODEL_MAX_PAGES, MML_MODEL_MAX_OPS, &p) ||
	    mml_history_build(&h, &p) < 0)
		return MML_FAULT_NONE;
	struct mml_check_read reads[MML_MODEL_MAX_READS];
	unsigned readers = 1 + mml_choose(&c, 2);
	unsigned n = mml_model_legal_trace(&c, &p, &h, readers,
					   MML_MODEL_MAX_READS, reads);
	enum mml_model_fault f = fuzz_trace(&p, &h, reads, n, true);
	if (f == MML_FAULT_NONE) {
		n = mml_model_any_trace(&c, &p, &h, reads);
		f = fuzz_trace(&p, &h, reads, n, false);
	}
	mml_history_free(&h);
	return f;
}

const char *mml_model_gap_name(enum mml_model_gap g)
{
	static const char *const names[] = {
		[MML_GAP_NONE] = "none",
		[MML_GAP_INSIDE_ONE_VMA] = "inside one VMA of an op spanning several",
		[MML_GAP_ACROSS_READERS] = "only the readers together",
		[MML_GAP_UNNAMED] = "no named gap",
	};
	return names[g];
}

const char *mml_model_fault_name(enum mml_model_fault f)
{
	static const char *const names[] = {
		[MML_FAULT_NONE] = "none",
		[MML_FAULT_FALSE_FINDING] = "a finding the policies explain",
		[MML_FAULT_FALSE_VIOLATION] = "a violation atomic ops explain",
		[MML_FAULT_UNDECIDED] = "the reference ran out of budget",
	};
	return names[f];
}
