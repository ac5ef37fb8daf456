/* The reference checker on hand-written traces: each model's answer on the
 * minimal shape of every kind of inconsistency, the legal shapes it must
 * call consistent, knowledge between readers, the budget, and the core.
 * Output is TAP. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "checker.h"
#include "confirm.h"
#include "oracle.h"
#include "tag.h"

#include "oracle_fixture.h"

enum { MAX_READS = 16, BUDGET = 100000 };

struct trace {
	struct fixture f;
	struct mml_check_read reads[MAX_READS];
	unsigned n;
};

static void read_by(struct trace *t, unsigned reader, uint32_t page,
		    uint8_t value, uint8_t before, uint8_t after)
{
	t->reads[t->n++] = (struct mml_check_read){.page = page, .value = value,
		.before = before, .after = after, .reader = (uint8_t)reader,
		.after_read = -1};
}

static void read0(struct trace *t, uint32_t page, uint8_t value,
		  uint8_t before, uint8_t after)
{
	read_by(t, 0, page, value, before, after);
}

static enum mml_check_answer decide(const struct trace *t,
				    enum mml_check_model model)
{
	struct mml_check_trace ct = {&t->f.p, &t->f.h, t->reads, t->n};
	return mml_check(&ct, model, BUDGET, NULL);
}

/* The answers under the policies, every op atomic, every op per page. */
static bool check_answers(const struct trace *t, enum mml_check_answer policy,
			  enum mml_check_answer atomic, enum mml_check_answer page)
{
	enum mml_check_answer want[] = {policy, atomic, page};
	bool good = true;
	for (int m = 0; m <= MML_MODEL_PAGE; m++) {
		enum mml_check_answer got = decide(t, (enum mml_check_model)m);
		if (got != want[m]) {
			printf("# under %s: %s, want %s\n",
			       mml_check_model_name((enum mml_check_model)m),
			       mml_check_answer_name(got), mml_check_answer_name(want[m]));
			good = false;
		}
	}
	return good;
}

static bool start(struct trace *t, uint32_t pages, enum mml_backing b)
{
	memset(t, 0, sizeof *t);
	fx_program(&t->f, pages, b);
	return true;
}

static uint8_t run_of(unsigned j) { return mml_state_running(j); }
static uint8_t done_of(unsigned j) { return mml_state_done(j); }

static const enum mml_check_answer C = MML_CHECK_CONSISTENT;
static const enum mml_check_answer I = MML_CHECK_INCONSISTENT;

/* mapfixed over 2 pages: gen1 on page 0, then gen0 on page 1, both while
 * it runs: new-then-stale, which only a page-by-page op explains. */
static bool t_new_then_stale(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	read0(&t, 0, 1, run_of(1), run_of(1));
	read0(&t, 1, 0, run_of(1), run_of(1));
	bool good = check_answers(&t, I, I, C);
	fx_end(&t.f);
	return good;
}

/* Old then new, and the final state after the op returned. */
static bool t_legal_old_then_new(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	read0(&t, 0, 0, 0, run_of(1));
	read0(&t, 1, 0, run_of(1), run_of(1));
	read0(&t, 0, 1, run_of(1), run_of(1));
	read0(&t, 1, 1, run_of(1), done_of(1));
	read0(&t, 0, 1, done_of(1), done_of(1));
	bool good = check_answers(&t, C, C, C);
	fx_end(&t.f);
	return good;
}

/* gen1, then gen0 on the same page: no model explains it. */
static bool t_same_page(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MUNMAP, 0, 2, MML_BACKING_MEMFD, MML_PROT_NONE);
	if (!fx_start(&t.f))
		return false;
	read0(&t, 0, MML_V_HOLE, run_of(1), run_of(1));
	read0(&t, 0, 0, run_of(1), run_of(1));
	bool good = check_answers(&t, I, I, I);
	fx_end(&t.f);
	return good;
}

/* The old value after the op returned and the reader knew it. */
static bool t_stale_after_return(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MUNMAP, 0, 2, MML_BACKING_MEMFD, MML_PROT_NONE);
	if (!fx_start(&t.f))
		return false;
	read0(&t, 1, 0, done_of(1), done_of(1));
	bool good = check_answers(&t, I, I, I);
	fx_end(&t.f);
	return good;
}

/* A value no op had started to put there, and a value no op puts there. */
static bool t_future_and_misdirected(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	read0(&t, 0, 1, 0, 0);
	bool good = check_answers(&t, I, I, I);
	t.n = 0;
	read0(&t, 0, MML_V_ZERO, done_of(1), done_of(1));
	good &= check_answers(&t, I, I, I);
	fx_end(&t.f);
	return good;
}

/* munmap is not atomic: hole-then-data is its policy's, not a finding. */
static bool t_policy_non_atomic(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MUNMAP, 0, 2, MML_BACKING_MEMFD, MML_PROT_NONE);
	if (!fx_start(&t.f))
		return false;
	read0(&t, 0, MML_V_HOLE, run_of(1), run_of(1));
	read0(&t, 1, 0, run_of(1), run_of(1));
	bool good = check_answers(&t, C, I, C);
	fx_end(&t.f);
	return good;
}

/* mprotect over the two VMAs a mapfixed of pages 2-3 left: per VMA,
 * new-then-stale across the boundary is consistent, within one VMA it is
 * not. */
static bool t_policy_per_vma(void)
{
	struct trace t;
	uint8_t r2 = run_of(2);
	bool good = true;
	start(&t, 4, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 2, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	fx_op(&t.f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	if (!fx_start(&t.f))
		return false;
	read0(&t, 1, MML_V_HOLE, r2, r2);
	read0(&t, 2, 1, r2, r2);
	good &= check_answers(&t, C, I, C);
	t.n = 0;
	read0(&t, 0, MML_V_HOLE, r2, r2);
	read0(&t, 1, 0, r2, r2);
	good &= check_answers(&t, I, I, C);
	fx_end(&t.f);
	return good;
}

/* Reader 1 saw gen1 and told reader 0, which then read gen0 on another
 * page: causality, inconsistent for an atomic op.  Without the news the
 * two readers are free to be ordered the other way. */
static bool t_causality(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	uint8_t r1 = run_of(1);
	read_by(&t, 1, 0, 1, r1, r1);
	read_by(&t, 0, 1, 0, r1, r1);
	bool good = check_answers(&t, C, C, C);
	t.reads[1].after_read = 0;
	good &= check_answers(&t, I, I, C);
	fx_end(&t.f);
	return good;
}

/* Two readers see a page-by-page op's pages change in opposite orders:
 * one instant per page cannot explain both. */
static bool t_opposite_orders(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_PIECEWISE, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	uint8_t r1 = run_of(1);
	read_by(&t, 0, 0, 1, r1, r1);
	read_by(&t, 0, 1, 0, r1, r1);
	read_by(&t, 1, 1, 1, r1, r1);
	read_by(&t, 1, 0, 0, r1, r1);
	bool good = check_answers(&t, I, I, I);
	fx_end(&t.f);
	return good;
}

/* Ambiguous values: ZERO from dontneed and again from a later mapping of
 * anonymous memory; gen0 restored by mprotect read. */
static bool t_legal_ambiguous(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_ANON);
	fx_op(&t.f, MML_OP_DONTNEED, 0, 2, MML_BACKING_ANON, MML_PROT_NONE);
	fx_op(&t.f, MML_OP_MUNMAP, 0, 2, MML_BACKING_ANON, MML_PROT_NONE);
	fx_op(&t.f, MML_OP_MPROTECT, 0, 2, MML_BACKING_ANON, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	uint8_t r2 = run_of(2), r3 = run_of(3);
	read0(&t, 0, MML_V_HOLE, r2, r2);
	read0(&t, 1, MML_V_ZERO, r2, r3);
	read0(&t, 0, MML_V_HOLE, r3, r3);
	read0(&t, 1, MML_V_HOLE, r3, r3);
	read0(&t, 0, MML_V_ZERO, r3, done_of(3));
	bool good = check_answers(&t, C, I, C);
	fx_end(&t.f);
	return good;
}

/* A budget too small to finish gives undecided, never inconsistent. */
static bool t_budget(void)
{
	struct trace t;
	start(&t, 2, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	for (int i = 0; i < 6; i++)
		read0(&t, (uint32_t)i % 2, 0, 0, run_of(1));
	read0(&t, 0, 1, run_of(1), run_of(1));
	read0(&t, 1, 0, run_of(1), run_of(1));
	struct mml_check_trace ct = {&t.f.p, &t.f.h, t.reads, t.n};
	bool good = check_int(mml_check(&ct, MML_MODEL_POLICY, 3, NULL),
			      MML_CHECK_UNDECIDED, "3 states are too few");
	good &= check_int(mml_check(&ct, MML_MODEL_POLICY, BUDGET, NULL),
			  MML_CHECK_INCONSISTENT, "enough states decide");
	fx_end(&t.f);
	return good;
}

/* The core of a new-then-stale among harmless reads is its two reads. */
static bool t_core(void)
{
	struct trace t;
	start(&t, 4, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	uint8_t r1 = run_of(1);
	for (uint32_t p = 0; p < 4; p++)
		read0(&t, p, 0, 0, r1);
	read0(&t, 0, 0, r1, r1);
	read0(&t, 1, 1, r1, r1);
	read0(&t, 2, 1, r1, r1);
	read0(&t, 3, 0, r1, r1);
	read0(&t, 0, 1, r1, done_of(1));
	struct mml_check_trace ct = {&t.f.p, &t.f.h, t.reads, t.n};
	bool keep[MAX_READS];
	unsigned n = mml_check_core(&ct, MML_MODEL_POLICY, BUDGET, keep);
	bool good = check_int(n, 2, "two reads prove it");
	good &= check(keep[5] || keep[6], "a read of gen1 is in it");
	good &= check(keep[7], "the read of gen0 on page 3 is in it");
	fx_end(&t.f);
	return good;
}

/* A ring of reader 0's reads, as reader.c records them. */
static void fill_ring(struct mml_trace *ring, struct mml_trace_entry *entries,
		      const struct trace *t)
{
	ring->ring = entries;
	ring->next = ring->count = t->n;
	for (unsigned i = 0; i < t->n; i++)
		entries[i] = (struct mml_trace_entry){i, t->reads[i].page,
			t->reads[i].value, t->reads[i].before, t->reads[i].after};
}

/* The oracle's new-then-stale under mapfixed, confirmed from the ring;
 * the same violation claimed over reads that show nothing wrong is a
 * disagreement, and one whose read the ring lost is unconfirmed. */
static bool t_confirm(void)
{
	static struct mml_trace_entry entries[MML_TRACE_ENTRIES];
	struct trace t;
	start(&t, 4, MML_BACKING_MEMFD);
	fx_op(&t.f, MML_OP_MAPFIXED, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&t.f))
		return false;
	uint8_t r1 = run_of(1);
	read0(&t, 0, 0, 0, 0);
	read0(&t, 0, 1, r1, r1);
	read0(&t, 1, 0, r1, r1);
	struct mml_trace ring;
	fill_ring(&ring, entries, &t);
	struct mml_violation v = {.cls = MML_NEW_THEN_STALE, .finding = true, .op = 1};
	v.obs = (struct mml_obs){.index = 2, .page = 1, .value = 0,
				 .before = r1, .after = r1};
	v.known = (struct mml_knowledge){.m = 1, .source = MML_SRC_OWN};
	v.known.obs = (struct mml_obs){.index = 1, .page = 0, .value = 1,
				       .before = r1, .after = r1};
	unsigned core;
	bool good = check_int(mml_confirm(&t.f.p, &t.f.h, &ring, &v, &core),
			      MML_CONFIRMED, "new-then-stale is confirmed");
	good &= check_int(core, 2, "on two reads");
	entries[1].value = 0;
	good &= check_int(mml_confirm(&t.f.p, &t.f.h, &ring, &v, NULL),
			  MML_DISAGREES, "gen0 twice is no finding");
	v.obs.index = 7;
	good &= check_int(mml_confirm(&t.f.p, &t.f.h, &ring, &v, NULL),
			  MML_UNCONFIRMED, "a read the ring does not hold");
	fx_end(&t.f);
	return good;
}

static const struct scenario scenarios[] = {
	{"confirm: confirmed, disagreement, unconfirmed", t_confirm},
	{"new-then-stale: only a page-by-page op explains it", t_new_then_stale},
	{"legal: old then new, then the final state", t_legal_old_then_new},
	{"same-page: no model explains it", t_same_page},
	{"stale-after-return: no model explains it", t_stale_after_return},
	{"future and misdirected: no model explains them", t_future_and_misdirected},
	{"policy: munmap's hole-then-data is consistent with it", t_policy_non_atomic},
	{"policy: per-VMA mprotect, across and within a VMA", t_policy_per_vma},
	{"knowledge: news from another reader orders the readers", t_causality},
	{"two readers, opposite orders of a page-by-page op", t_opposite_orders},
	{"legal: ambiguous ZERO and HOLE across three ops", t_legal_ambiguous},
	{"budget: too few states is undecided", t_budget},
	{"core: the two reads that prove a new-then-stale", t_core},
};

int main(void)
{
	return run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0]);
}
