/* The oracle of doc/oracle.md on hand-written observation streams, without any
 * threads: every violation class on its minimal shape, the per-op policy,
 * the legal shapes that must never be flagged (a false positive is the worst
 * bug this program can have), where knowledge comes from, and the seen-mark.
 *
 * Each test builds a small program by filling its fields, builds the history
 * tables, and feeds one reader's reads to the oracle in program order.  A read
 * is (page, value id, mapper state before the read, state after it); state 0
 * is "nothing started", mml_state_running(j) and mml_state_done(j) the rest.
 *
 * Output is TAP. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "history.h"
#include "ops.h"
#include "oracle.h"
#include "program.h"
#include "tag.h"

#include "oracle_fixture.h"
#include "tap.h"

/* ---- building programs ---- */

static void fx_map(struct fixture *f, uint32_t lo, uint32_t hi,
		   enum mml_backing backing)
{
	fx_op(f, MML_OP_MAPFIXED, lo, hi, backing, MML_PROT_READ);
}

/* The classic shape on 4 pages: a memfd, and one mapfixed of another over
 * all of it. */
static bool fx_classic(struct fixture *f)
{
	fx_program(f, 4, MML_BACKING_MEMFD);
	fx_map(f, 0, 4, MML_BACKING_MEMFD);
	return fx_start(f);
}

/* 4 pages of a memfd, and one op of that kind over all of them (to none,
 * for mprotect). */
static bool fx_one_op(struct fixture *f, enum mml_op_kind kind)
{
	fx_program(f, 4, MML_BACKING_MEMFD);
	fx_op(f, kind, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	return fx_start(f);
}

/* The value id a reader sees on page once op j is in effect. */
static uint8_t fx_value(const struct fixture *f, uint32_t page, unsigned j)
{
	return mml_history_row(f->h.value, &f->h, page)[j];
}

/* ---- feeding reads ---- */

static struct mml_obs make_obs(struct fixture *f, uint32_t page,
			       uint8_t value, uint8_t before, uint8_t after)
{
	struct mml_obs ob;
	memset(&ob, 0, sizeof ob);
	if (value == MML_V_ZERO || value == MML_V_HOLE)
		ob.raw = 0;
	else if (value == MML_V_BAD)
		ob.raw = 0x5a5a5a5a5a5a5a5aull;
	else
		ob.raw = mml_tag(FX_RUN, value, page);
	ob.index = f->next_index++;
	ob.page = page;
	ob.sweep = 0;
	ob.reader = 0;
	ob.value = value;
	ob.before = before;
	ob.after = after;
	return ob;
}

/* One read; returns the oracle's flags. */
static int see(struct fixture *f, uint32_t page, uint8_t value,
	       uint8_t before, uint8_t after)
{
	struct mml_obs ob = make_obs(f, page, value, before, after);
	return mml_oracle_observe(&f->o[0], &ob);
}

/* Reader 1 publishes that op m is in effect, having read value on page
 * with the mapper in state; this reader learns it. */
static void peer_learns(struct fixture *f, uint8_t m, uint32_t page,
			uint8_t value, uint8_t state)
{
	struct mml_knowledge peer = {.m = m, .source = MML_SRC_OWN};
	peer.obs = make_obs(f, page, value, state, state);
	peer.obs.reader = 1;
	mml_oracle_learn(&f->o[0], &peer);
}

/* ---- checks: each prints why it failed and returns whether it held ---- */

static const char *value_name(uint8_t v, char *buf, size_t len)
{
	if (v == MML_V_ZERO)
		return "ZERO";
	if (v == MML_V_HOLE)
		return "HOLE";
	if (v == MML_V_BAD)
		return "BAD";
	snprintf(buf, len, "gen%u", (unsigned)v);
	return buf;
}

/* Nothing counted and nothing kept. */
static bool check_clean(const struct fixture *f)
{
	bool good = check_only(f, 0, MML_MISDIRECTED, true, 0);
	good &= check_int(f->o[0].nkept, 0, "nothing kept");
	good &= check_int(f->o[0].classes, 0, "no class bit set");
	return good;
}

/* kept[i] is a violation of class cls against op F = op, with the reader's
 * knowledge at that point being (m, source). */
static bool check_kept(const struct fixture *f, unsigned i,
		       enum mml_class cls, bool finding, unsigned op,
		       unsigned m, enum mml_source source)
{
	if (f->o[0].nkept <= i) {
		printf("# failed: kept[%u] missing, nkept is %u\n", i,
		       f->o[0].nkept);
		return false;
	}
	const struct mml_violation *v = &f->o[0].kept[i];
	bool good = true;
	if (v->cls != cls) {
		printf("# failed: kept[%u].cls is %s, want %s\n", i,
		       mml_class_name(v->cls), mml_class_name(cls));
		good = false;
	}
	good &= check_int(v->finding, finding, "kept finding");
	good &= check_int(v->op, op, "kept op F");
	good &= check_int(v->known.m, m, "kept known.m");
	if (v->known.source != source) {
		printf("# failed: kept[%u].known.source is %s, want %s\n", i,
		       mml_source_name(v->known.source),
		       mml_source_name(source));
		good = false;
	}
	good &= check_int(v->run, FX_RUN, "kept run");
	return good;
}

static bool check_knowledge(const struct fixture *f, unsigned m,
			    enum mml_source source)
{
	bool good = check_int(f->o[0].k.m, m, "k.m");
	if (f->o[0].k.source != source) {
		printf("# failed: k.source is %s, want %s\n",
		       mml_source_name(f->o[0].k.source), mml_source_name(source));
		good = false;
	}
	return good;
}

/* ---- violation classes on their minimal shapes ---- */

/* mapfixed over 4 pages: gen1 on page 0, then gen0 on page 1, op 1 running. */
static bool t_new_then_stale(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 1, r1, r1), MML_OBSERVED_RAISED,
			    "gen1 on page 0 raises M");
	good &= check_flags(see(&f, 1, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen0 on page 1 is a finding");
	good &= check_only(&f, 0, MML_NEW_THEN_STALE, true, 1);
	good &= check_int(f.o[0].nkept, 1, "one kept");
	good &= check_kept(&f, 0, MML_NEW_THEN_STALE, true, 1, 1, MML_SRC_OWN);
	good &= check_int(f.o[0].kept[0].obs.page, 1, "kept obs is the stale read");
	good &= check_int(f.o[0].kept[0].known.obs.page, 0,
			  "kept knowledge names the read that taught it");
	good &= check_int(f.o[0].kept[0].known.obs.value, 1,
			  "kept knowledge value is gen1");
	fx_end(&f);
	return good;
}

/* munmap: HOLE on page 0, then old data on page 1: hole-then-data, expected
 * because munmap is not atomic. */
static bool t_hole_then_data_munmap(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MUNMAP))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 0, MML_V_HOLE, r1, r1),
			    MML_OBSERVED_RAISED, "HOLE on page 0 raises M");
	good &= check_flags(see(&f, 1, 0, r1, r1), MML_OBSERVED_VIOLATION,
			    "gen0 on page 1 is a violation, not a finding");
	good &= check_only(&f, 0, MML_HOLE_THEN_DATA, false, 1);
	good &= check_kept(&f, 0, MML_HOLE_THEN_DATA, false, 1, 1,
			   MML_SRC_OWN);
	fx_end(&f);
	return good;
}

/* The same shape for mprotect(PROT_NONE), an atomic op: a finding. */
static bool t_hole_then_data_mprotect(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MPROTECT))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 0, MML_V_HOLE, r1, r1),
			    MML_OBSERVED_RAISED, "HOLE on page 0 raises M");
	good &= check_flags(see(&f, 1, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen0 on page 1 is a finding");
	good &= check_only(&f, 0, MML_HOLE_THEN_DATA, true, 1);
	good &= check_kept(&f, 0, MML_HOLE_THEN_DATA, true, 1, 1, MML_SRC_OWN);
	fx_end(&f);
	return good;
}

/* mprotect is atomic within one VMA only: an earlier op whose range ends
 * inside its range may have split the VMA (ops.h, per_vma). */
static bool t_mprotect_policy_per_vma(void)
{
	struct fixture f;
	fx_program(&f, 8, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_DONTNEED, 2, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 8, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_map(&f, 4, 8, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MPROTECT, 0, 8, MML_BACKING_MEMFD, MML_PROT_READ);
	fx_op(&f, MML_OP_MPROTECT, 4, 8, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MAPFIXED, 0, 8, MML_BACKING_MEMFD, MML_PROT_READ);
	bool good = true;
	good &= mml_op_atomic(&f.p, 2); /* dontneed splits no VMA */
	good &= !mml_op_atomic(&f.p, 4); /* the mapfixed's lo 4 is inside 0-8 */
	good &= mml_op_atomic(&f.p, 5); /* boundaries at 4 and 8 are its ends */
	good &= mml_op_atomic(&f.p, 6); /* mapfixed is atomic across VMAs */
	if (!good)
		printf("# mml_op_atomic disagrees with the per-VMA policy\n");
	return good;
}

/* Ops 1 mapfixed 2-4, 2 mprotect none 0-4, 3 mprotect read 0-4.  While op
 * 3 runs, gen0 readable on page 1 then a HOLE on page 2: the VMA of pages
 * 0-2 was done first.  Expected, because op 3 spans two VMAs; a page that
 * goes back in time is still a finding. */
static bool t_mprotect_across_vmas(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 2, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r3 = mml_state_running(3);
	bool good = true;
	good &= check_flags(see(&f, 1, 0, r3, r3), MML_OBSERVED_RAISED,
			    "gen0 on page 1 during op 3 raises M to 3");
	good &= check_flags(see(&f, 2, MML_V_HOLE, r3, r3), MML_OBSERVED_VIOLATION,
			    "a HOLE on page 2 is an expected new-then-stale");
	good &= check_only(&f, 0, MML_NEW_THEN_STALE, false, 1);
	good &= check_flags(see(&f, 1, MML_V_HOLE, r3, r3),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "then a HOLE on page 1 again is a same-page finding");
	fx_end(&f);
	return good;
}

/* gen1 on page 2, then gen0 on the same page 2. */
static bool t_same_page(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 2, 1, r1, r1), MML_OBSERVED_RAISED,
			    "gen1 on page 2 raises M");
	good &= check_flags(see(&f, 2, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen0 on page 2 again is a finding");
	good &= check_only(&f, 0, MML_SAME_PAGE, true, 1);
	good &= check_kept(&f, 0, MML_SAME_PAGE, true, 1, 1, MML_SRC_OWN);
	fx_end(&f);
	return good;
}

/* completed says op 1 returned, and page 0 still shows gen0. */
static bool t_stale_after_return(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t d1 = mml_state_done(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 0, d1, d1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen0 after op 1 returned is a finding");
	good &= check_only(&f, 0, MML_STALE_AFTER_RETURN, true, 1);
	good &= check_kept(&f, 0, MML_STALE_AFTER_RETURN, true, 1, 1,
			   MML_SRC_COMPLETED);
	fx_end(&f);
	return good;
}

/* op 1 maps [0,2), op 2 maps [2,4).  The reader sees gen2 on page 2 while
 * op 2 runs (so op 1 had returned), then gen0 on page 0, covered only by
 * op 1: stale-after-return against op 1. */
static bool t_stale_after_later_op(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 2, MML_BACKING_MEMFD);
	fx_map(&f, 2, 4, MML_BACKING_MEMFD);
	if (!fx_start(&f))
		return false;
	uint8_t r2 = mml_state_running(2);
	bool good = true;
	good &= check_flags(see(&f, 2, 2, r2, r2), MML_OBSERVED_RAISED,
			    "gen2 on page 2 raises M");
	good &= check_knowledge(&f, 2, MML_SRC_OWN);
	good &= check_flags(see(&f, 0, 0, r2, r2),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen0 on page 0 is a finding");
	good &= check_only(&f, 0, MML_STALE_AFTER_RETURN, true, 1);
	good &= check_kept(&f, 0, MML_STALE_AFTER_RETURN, true, 1, 2,
			   MML_SRC_OWN);
	fx_end(&f);
	return good;
}

/* The same with M = 2 known only from a peer, and a state word that says
 * nothing (no happens-before with the mapper): F = 1 < M = 2 means op 1
 * had returned, so still stale-after-return (the oracle's reading). */
static bool t_stale_after_later_op_peer(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 2, MML_BACKING_MEMFD);
	fx_map(&f, 2, 4, MML_BACKING_MEMFD);
	if (!fx_start(&f))
		return false;
	peer_learns(&f, 2, 2, 2, mml_state_running(2));
	bool good = true;
	good &= check_knowledge(&f, 2, MML_SRC_PEER);
	good &= check_flags(see(&f, 0, 0, 0, 0),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen0 on page 0 is a finding");
	good &= check_only(&f, 0, MML_STALE_AFTER_RETURN, true, 1);
	good &= check_kept(&f, 0, MML_STALE_AFTER_RETURN, true, 1, 2,
			   MML_SRC_PEER);
	fx_end(&f);
	return good;
}

/* gen2 seen while the state after the read says only op 1 has started. */
static bool t_future(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 4, MML_BACKING_MEMFD);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	int flags = see(&f, 0, 2, r1, r1);
	good &= check(flags & MML_OBSERVED_VIOLATION, "violation flagged");
	good &= check(flags & MML_OBSERVED_FINDING, "finding flagged");
	good &= check_only(&f, 0, MML_FUTURE, true, 1);
	good &= check_kept(&f, 0, MML_FUTURE, true, 0, 0, MML_SRC_INITIAL);
	good &= check_int(f.o[0].kept[0].obs.value, 2, "kept obs value is gen2");
	fx_end(&f);
	return good;
}

/* A word that is no tag of this run and page. */
static bool t_misdirected_bad(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 1, MML_V_BAD, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "BAD is a finding");
	good &= check_only(&f, 0, MML_MISDIRECTED, true, 1);
	good &= check_kept(&f, 0, MML_MISDIRECTED, true, 0, 0,
			   MML_SRC_INITIAL);
	fx_end(&f);
	return good;
}

/* op 1 maps [0,2); gen1 on page 3 was never put there. */
static bool t_misdirected_generation(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 2, MML_BACKING_MEMFD);
	if (!fx_start(&f))
		return false;
	uint8_t d1 = mml_state_done(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 1, d1, d1), 0, "gen1 on page 0 is legal");
	good &= check_flags(see(&f, 3, 1, d1, d1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen1 on page 3 is a finding");
	good &= check_only(&f, 0, MML_MISDIRECTED, true, 1);
	good &= check_kept(&f, 0, MML_MISDIRECTED, true, 0, 1,
			   MML_SRC_COMPLETED);
	fx_end(&f);
	return good;
}

/* memfd pages, and no op installs ZERO: a zero-filled page is misdirected. */
static bool t_misdirected_zero(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_int(mml_tag_value(0, FX_RUN, 2, f.h.ngens), MML_V_ZERO,
			  "a zero word reduces to ZERO");
	good &= check_flags(see(&f, 2, MML_V_ZERO, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "ZERO on a memfd page is a finding");
	good &= check_only(&f, 0, MML_MISDIRECTED, true, 1);
	fx_end(&f);
	return good;
}

/* A tag left by an earlier run, on a page op 1 covers and that the reader
 * knows op 1 replaced: misdirected, not stale. */
static bool t_misdirected_old_run(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint32_t oldrun = FX_RUN - 1;
	uint8_t v = mml_tag_value(mml_tag(oldrun, 0, 1), FX_RUN, 1, f.h.ngens);
	bool good = check_int(v, MML_V_BAD, "old run's tag reduces to BAD");
	uint8_t d1 = mml_state_done(1);
	good &= check_flags(see(&f, 1, v, d1, d1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "old run's tag is a finding");
	good &= check_only(&f, 0, MML_MISDIRECTED, true, 1);
	good &= check_kept(&f, 0, MML_MISDIRECTED, true, 1, 1,
			   MML_SRC_COMPLETED);
	fx_end(&f);
	return good;
}

/* Tags of this run that name another page or a generation beyond K. */
static bool t_misdirected_tag_reduction(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	bool good = true;
	good &= check_int(mml_tag_value(mml_tag(FX_RUN, 1, 2), FX_RUN, 2, f.h.ngens),
			  1, "own tag reduces to its generation");
	good &= check_int(mml_tag_value(mml_tag(FX_RUN, 1, 3), FX_RUN, 2, f.h.ngens),
			  MML_V_BAD, "another page's tag reduces to BAD");
	good &= check_int(mml_tag_value(mml_tag(FX_RUN, 2, 2), FX_RUN, 2, f.h.ngens),
			  MML_V_BAD, "a generation beyond K reduces to BAD");
	uint8_t r1 = mml_state_running(1);
	uint8_t v = mml_tag_value(mml_tag(FX_RUN, 1, 3), FX_RUN, 2, f.h.ngens);
	good &= check_flags(see(&f, 2, v, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "another page's tag is a finding");
	good &= check_only(&f, 0, MML_MISDIRECTED, true, 1);
	fx_end(&f);
	return good;
}

/* ---- policy: one program per op kind, every shape ---- */

enum shape {
	SHAPE_CROSS_PAGE, /* new on page 0, old on page 1 */
	SHAPE_SAME_PAGE,
	SHAPE_STALE_AFTER_RETURN,
	SHAPE_FUTURE,
	SHAPE_MISDIRECTED,
	SHAPE_CAUSALITY, /* a peer saw op 1 on page 0, this reader old page 1 */
	SHAPE_COUNT,
};

static const char *const shape_names[SHAPE_COUNT] = {
	[SHAPE_CROSS_PAGE] = "new-then-stale across pages",
	[SHAPE_SAME_PAGE] = "same-page",
	[SHAPE_STALE_AFTER_RETURN] = "stale-after-return",
	[SHAPE_FUTURE] = "future",
	[SHAPE_MISDIRECTED] = "misdirected",
	[SHAPE_CAUSALITY] = "causality",
};

static const enum mml_op_kind policy_kinds[] = {
	MML_OP_MAPFIXED, MML_OP_MUNMAP,   MML_OP_MREMAP,
	MML_OP_DONTNEED, MML_OP_MPROTECT, MML_OP_PIECEWISE,
};

enum { NPOLICY_KINDS = sizeof policy_kinds / sizeof policy_kinds[0] };

/* Private anonymous gen0 over 4 pages (so that dontneed shows ZERO); op 1
 * is the kind on [0,2), op 2 the same kind on [2,4).  New generations come
 * from a memfd; mprotect goes to PROT_NONE. */
static bool policy_program(struct fixture *f, enum mml_op_kind kind)
{
	fx_program(f, 4, MML_BACKING_ANON);
	fx_op(f, kind, 0, 2, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(f, kind, 2, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	return fx_start(f);
}

static bool t_policy(enum mml_op_kind kind, enum shape shape)
{
	struct fixture f;
	if (!policy_program(&f, kind))
		return false;
	bool atomic = mml_op_class(kind)->atomic;
	uint8_t v1 = fx_value(&f, 0, 1); /* op 1's value on page 0 */
	uint8_t v2 = fx_value(&f, 2, 2); /* op 2's value on page 2 */
	uint8_t r1 = mml_state_running(1);
	uint8_t d1 = mml_state_done(1);
	int want = MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING;
	char b1[16], b2[16];
	printf("# %s: op 1 shows %s, op 2 shows %s\n",
	       mml_op_class(kind)->name, value_name(v1, b1, sizeof b1),
	       value_name(v2, b2, sizeof b2));
	bool good = check(v1 != 0 && v2 != 0, "the op changes what a reader sees");
	switch (shape) {
	case SHAPE_CROSS_PAGE: {
		enum mml_class cls = v1 == MML_V_HOLE ? MML_HOLE_THEN_DATA
						      : MML_NEW_THEN_STALE;
		good &= check_flags(see(&f, 0, v1, r1, r1), MML_OBSERVED_RAISED,
				    "op 1's value on page 0 raises M");
		good &= check_flags(see(&f, 1, 0, r1, r1),
				    atomic ? want : MML_OBSERVED_VIOLATION,
				    "gen0 on page 1");
		good &= check_only(&f, 0, cls, atomic, 1);
		good &= check_kept(&f, 0, cls, atomic, 1, 1, MML_SRC_OWN);
		break;
	}
	case SHAPE_SAME_PAGE:
		good &= check_flags(see(&f, 0, v1, r1, r1), MML_OBSERVED_RAISED,
				    "op 1's value on page 0 raises M");
		good &= check_flags(see(&f, 0, 0, r1, r1), want,
				    "gen0 on page 0 again");
		good &= check_only(&f, 0, MML_SAME_PAGE, true, 1);
		good &= check_kept(&f, 0, MML_SAME_PAGE, true, 1, 1,
				   MML_SRC_OWN);
		break;
	case SHAPE_STALE_AFTER_RETURN:
		good &= check_flags(see(&f, 1, 0, d1, d1), want,
				    "gen0 on page 1 after op 1 returned");
		good &= check_only(&f, 0, MML_STALE_AFTER_RETURN, true, 1);
		good &= check_kept(&f, 0, MML_STALE_AFTER_RETURN, true, 1, 1,
				   MML_SRC_COMPLETED);
		break;
	case SHAPE_FUTURE: {
		int flags = see(&f, 2, v2, r1, r1);
		good &= check(flags & MML_OBSERVED_FINDING,
			      "op 2's value while only op 1 started is a finding");
		good &= check_only(&f, 0, MML_FUTURE, true, 1);
		break;
	}
	case SHAPE_MISDIRECTED:
		good &= check_flags(see(&f, 0, MML_V_BAD, r1, r1), want,
				    "BAD on page 0");
		good &= check_only(&f, 0, MML_MISDIRECTED, true, 1);
		break;
	case SHAPE_CAUSALITY:
		peer_learns(&f, 1, 0, v1, r1);
		good &= check_flags(see(&f, 1, 0, r1, r1),
				    atomic ? want : MML_OBSERVED_VIOLATION,
				    "gen0 on page 1 after the peer's news");
		good &= check_only(&f, 0, MML_CAUSALITY, atomic, 1);
		good &= check_kept(&f, 0, MML_CAUSALITY, atomic, 1, 1,
				   MML_SRC_PEER);
		break;
	default:
		good = false;
		break;
	}
	fx_end(&f);
	return good;
}

/* ---- legal shapes: nothing may be flagged ---- */

/* Old values, then new ones, while op 1 runs; then after it returned. */
static bool t_legal_old_then_new(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	uint8_t d1 = mml_state_done(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 0, 0, 0), 0, "page 0 gen0 before op 1");
	good &= check_flags(see(&f, 1, 0, 0, r1), 0, "page 1 gen0");
	good &= check_flags(see(&f, 2, 0, r1, r1), 0, "page 2 gen0 during op 1");
	good &= check_flags(see(&f, 3, 1, r1, r1), MML_OBSERVED_RAISED,
			    "page 3 gen1 during op 1");
	good &= check_flags(see(&f, 0, 1, r1, d1), 0, "page 0 gen1");
	good &= check_flags(see(&f, 1, 1, d1, d1), 0, "page 1 gen1");
	good &= check_flags(see(&f, 2, 1, d1, d1), 0, "page 2 gen1");
	good &= check_flags(see(&f, 3, 1, d1, d1), 0, "page 3 gen1");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* op 1 maps [0,2) of 4 pages: pages 2 and 3 keep gen0 after it returned. */
static bool t_legal_outside_range(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 2, MML_BACKING_MEMFD);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	uint8_t d1 = mml_state_done(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 1, r1, r1), MML_OBSERVED_RAISED,
			    "page 0 gen1 during op 1");
	good &= check_flags(see(&f, 2, 0, r1, r1), 0, "page 2 gen0 during op 1");
	good &= check_flags(see(&f, 3, 0, d1, d1), 0, "page 3 gen0 after op 1");
	good &= check_flags(see(&f, 2, 0, d1, d1), 0, "page 2 gen0 after op 1");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* mprotect none then mprotect read: gen0 comes back after the HOLE, on the
 * same page and on another one, and M goes to op 2. */
static bool t_legal_restored_value(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	uint8_t d1 = mml_state_done(1);
	uint8_t r2 = mml_state_running(2);
	uint8_t d2 = mml_state_done(2);
	bool good = true;
	good &= check_flags(see(&f, 0, MML_V_HOLE, r1, r1), MML_OBSERVED_RAISED,
			    "page 0 HOLE during op 1");
	good &= check_flags(see(&f, 1, MML_V_HOLE, d1, d1), 0,
			    "page 1 HOLE after op 1");
	good &= check_flags(see(&f, 0, 0, r2, r2), MML_OBSERVED_RAISED,
			    "page 0 gen0 again during op 2");
	good &= check_knowledge(&f, 2, MML_SRC_OWN);
	good &= check_flags(see(&f, 1, 0, r2, r2), 0,
			    "page 1 gen0 again during op 2");
	good &= check_flags(see(&f, 2, 0, d2, d2), 0, "page 2 gen0 after op 2");
	good &= check_flags(see(&f, 3, 0, d2, d2), 0, "page 3 gen0 after op 2");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* Two ops whose value on a page is ZERO: op 1 on [0,2), op 2 on [0,4).
 * ZERO on page 0 while op 1 runs is op 1's (the smallest candidate): no
 * future, and page 2 (which only op 2 covers) may still show gen0. */
static bool zero_twice(enum mml_op_kind second)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_ANON);
	fx_op(&f, MML_OP_DONTNEED, 0, 2, MML_BACKING_ANON, MML_PROT_READ);
	fx_op(&f, second, 0, 4, MML_BACKING_ANON, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	uint8_t d1 = mml_state_done(1);
	uint8_t r2 = mml_state_running(2);
	uint8_t d2 = mml_state_done(2);
	bool good = true;
	good &= check_int(fx_value(&f, 0, 1), MML_V_ZERO, "op 1 shows ZERO");
	good &= check_int(fx_value(&f, 0, 2), MML_V_ZERO, "op 2 shows ZERO");
	good &= check_flags(see(&f, 0, MML_V_ZERO, r1, r1), MML_OBSERVED_RAISED,
			    "page 0 ZERO during op 1");
	good &= check_knowledge(&f, 1, MML_SRC_OWN);
	good &= check_flags(see(&f, 2, 0, r1, r1), 0, "page 2 gen0 during op 1");
	good &= check_flags(see(&f, 1, MML_V_ZERO, r1, d1), 0,
			    "page 1 ZERO during op 1");
	good &= check_flags(see(&f, 3, 0, d1, r2), 0, "page 3 gen0");
	good &= check_flags(see(&f, 3, MML_V_ZERO, r2, r2), MML_OBSERVED_RAISED,
			    "page 3 ZERO during op 2");
	good &= check_flags(see(&f, 2, MML_V_ZERO, r2, d2), 0,
			    "page 2 ZERO during op 2");
	good &= check_flags(see(&f, 0, MML_V_ZERO, d2, d2), 0,
			    "page 0 ZERO after op 2");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

static bool t_legal_zero_dontneed_then_mapfixed(void)
{
	return zero_twice(MML_OP_MAPFIXED);
}

static bool t_legal_zero_dontneed_twice(void)
{
	return zero_twice(MML_OP_DONTNEED);
}

/* The reader learns op 1 returned from completed, then reads gen1. */
static bool t_legal_completed_then_new(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t d1 = mml_state_done(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 1, d1, d1), 0, "page 0 gen1 after op 1");
	good &= check_knowledge(&f, 1, MML_SRC_COMPLETED);
	good &= check_flags(see(&f, 1, 1, d1, d1), 0, "page 1 gen1 after op 1");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* The last sweep, after the mapper is done: every page shows its final
 * value.  Pages 4 and 5 were never touched; 2 and 3 were unmapped and made
 * readable again (ZERO from the reservation). */
static bool t_legal_final_sweep(void)
{
	struct fixture f;
	fx_program(&f, 6, MML_BACKING_MEMFD);
	fx_map(&f, 0, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MUNMAP, 2, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 2, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t d3 = mml_state_done(3);
	uint8_t final[6] = {1, 1, MML_V_ZERO, MML_V_ZERO, 0, 0};
	bool good = true;
	for (uint32_t p = 0; p < 6; p++) {
		char what[64];
		snprintf(what, sizeof what, "page %u final value", (unsigned)p);
		good &= check_int(fx_value(&f, p, 3), final[p], what);
		good &= check_flags(see(&f, p, final[p], d3, d3), 0, what);
	}
	good &= check_knowledge(&f, 3, MML_SRC_COMPLETED);
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* dontneed on a shared memfd page changes nothing a reader sees: it does
 * not cover the page, so gen0 stays legal after it returned. */
static bool t_legal_noop_dontneed(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_DONTNEED, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	uint8_t d1 = mml_state_done(1);
	bool good = true;
	good &= check(!mml_history_covers(&f.h, 0, 1),
		      "dontneed does not cover a shared page");
	good &= check_flags(see(&f, 0, 0, r1, r1), 0, "page 0 gen0 during op 1");
	good &= check_flags(see(&f, 1, 0, d1, d1), 0, "page 1 gen0 after op 1");
	good &= check_flags(see(&f, 0, 0, d1, d1), 0, "page 0 gen0 after op 1");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* mapfixed of gen1 then dontneed over the shared pages: F stays op 1, so
 * gen1 is legal after op 2 and gen0 is stale against op 1, not op 2. */
static bool t_noop_dontneed_keeps_cover(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_DONTNEED, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t d2 = mml_state_done(2);
	bool good = true;
	good &= check(!mml_history_covers(&f.h, 0, 2),
		      "dontneed does not cover a shared page");
	good &= check_flags(see(&f, 0, 1, d2, d2), 0, "page 0 gen1 after op 2");
	good &= check_flags(see(&f, 1, 0, d2, d2),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 1 gen0 after op 2");
	good &= check_only(&f, 0, MML_STALE_AFTER_RETURN, true, 1);
	good &= check_kept(&f, 0, MML_STALE_AFTER_RETURN, true, 1, 2,
			   MML_SRC_COMPLETED);
	fx_end(&f);
	return good;
}

/* ---- knowledge ---- */

static bool t_knowledge_own(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = check_knowledge(&f, 0, MML_SRC_INITIAL);
	good &= check_flags(see(&f, 0, 0, r1, r1), 0, "page 0 gen0");
	good &= check_knowledge(&f, 0, MML_SRC_INITIAL);
	good &= check_flags(see(&f, 3, 1, r1, r1), MML_OBSERVED_RAISED,
			    "page 3 gen1");
	good &= check_knowledge(&f, 1, MML_SRC_OWN);
	good &= check_int(f.o[0].k.obs.page, 3, "k.obs is the read of page 3");
	good &= check_int(f.o[0].k.obs.value, 1, "k.obs value is gen1");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

static bool t_knowledge_completed(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 2, MML_BACKING_MEMFD);
	if (!fx_start(&f))
		return false;
	uint8_t r2 = mml_state_running(2);
	bool good = true;
	good &= check_flags(see(&f, 2, 1, r2, r2), 0, "page 2 gen1 during op 2");
	good &= check_knowledge(&f, 1, MML_SRC_COMPLETED);
	good &= check_flags(see(&f, 0, 1, r2, r2), 0, "page 0 gen1 during op 2");
	good &= check_knowledge(&f, 1, MML_SRC_COMPLETED);
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* A peer saw op 1 in effect; this reader then reads gen0 on a page op 1
 * covers while op 1 is still running: causality (message passing), a
 * finding for an atomic op. */
static bool t_knowledge_peer(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	peer_learns(&f, 1, 0, 1, r1);
	bool good = check_knowledge(&f, 1, MML_SRC_PEER);
	good &= check_int(f.o[0].k.obs.reader, 1, "k.obs is the peer's read");
	good &= check_flags(see(&f, 2, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 2 gen0 after the peer saw gen1");
	good &= check_only(&f, 0, MML_CAUSALITY, true, 1);
	good &= check_kept(&f, 0, MML_CAUSALITY, true, 1, 1, MML_SRC_PEER);
	good &= check_int(f.o[0].kept[0].known.obs.reader, 1,
			  "the evidence's new read is the peer's");
	fx_end(&f);
	return good;
}

/* munmap is not atomic: the peer faulted on page 0, and this reader still
 * reads gen0 on page 0 itself.  A CPU may keep the old translation until
 * the flush that ends the zap reaches it, so even news about the very same
 * page makes this expected, not a finding. */
static bool t_causality_same_page_not_atomic(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MUNMAP))
		return false;
	uint8_t r1 = mml_state_running(1);
	peer_learns(&f, 1, 0, MML_V_HOLE, r1);
	bool good = check_flags(see(&f, 0, 0, r1, r1), MML_OBSERVED_VIOLATION,
				"page 0 gen0 after the peer's HOLE on page 0");
	good &= check_only(&f, 0, MML_CAUSALITY, false, 1);
	good &= check_kept(&f, 0, MML_CAUSALITY, false, 1, 1, MML_SRC_PEER);
	fx_end(&f);
	return good;
}

/* mprotect none is atomic: the peer's HOLE, then gen0 here, is a finding;
 * causality, not hole-then-data, since the news came from the peer. */
static bool t_causality_hole_news_atomic(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MPROTECT))
		return false;
	uint8_t r1 = mml_state_running(1);
	peer_learns(&f, 1, 0, MML_V_HOLE, r1);
	bool good = check_flags(see(&f, 3, 0, r1, r1),
				MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
				"page 3 gen0 after the peer's HOLE on page 0");
	good &= check_only(&f, 0, MML_CAUSALITY, true, 1);
	fx_end(&f);
	return good;
}

/* The reader saw gen1 itself first; the peer's news of op 1 is no news,
 * so a stale read after it is this reader's own new-then-stale. */
static bool t_causality_needs_news(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = check_flags(see(&f, 0, 1, r1, r1), MML_OBSERVED_RAISED,
				"page 0 gen1");
	peer_learns(&f, 1, 3, 1, r1);
	good &= check_knowledge(&f, 1, MML_SRC_OWN);
	good &= check_flags(see(&f, 1, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 1 gen0");
	good &= check_only(&f, 0, MML_NEW_THEN_STALE, true, 1);
	fx_end(&f);
	return good;
}

/* Peer news that a page went new, then this reader reads that page new
 * and then old: the page went back in time for this reader, same-page. */
static bool t_causality_then_own_same_page(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	peer_learns(&f, 1, 0, 1, r1);
	bool good = check_flags(see(&f, 2, 1, r1, r1), 0,
				"page 2 gen1 after the news");
	good &= check_flags(see(&f, 2, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 2 gen0 after this reader saw gen1 there");
	good &= check_only(&f, 0, MML_SAME_PAGE, true, 1);
	fx_end(&f);
	return good;
}

/* Peer knowledge that is no news is ignored. */
static bool t_knowledge_peer_not_news(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 4, MML_BACKING_MEMFD);
	fx_map(&f, 0, 4, MML_BACKING_MEMFD);
	if (!fx_start(&f))
		return false;
	uint8_t r2 = mml_state_running(2);
	bool good = true;
	good &= check_flags(see(&f, 0, 2, r2, r2), MML_OBSERVED_RAISED,
			    "page 0 gen2");
	peer_learns(&f, 1, 1, 1, r2);
	good &= check_knowledge(&f, 2, MML_SRC_OWN);
	peer_learns(&f, 2, 1, 1, r2);
	good &= check_knowledge(&f, 2, MML_SRC_OWN);
	good &= check_int(f.o[0].k.obs.page, 0, "k.obs still the own read");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* ---- the seen-mark ---- */

/* Page 1 only ever showed gen0 (fast path and slow path reads), page 0
 * showed gen1: gen0 on page 1 is new-then-stale, not same-page. */
static bool t_seen_mark_exact(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 1, 0, 0, 0), 0, "page 1 gen0");
	good &= check_flags(see(&f, 1, 0, r1, r1), 0, "page 1 gen0 again");
	good &= check_int(f.seen[0][1], 0, "page 1 seen-mark is 0");
	good &= check_flags(see(&f, 0, 1, r1, r1), MML_OBSERVED_RAISED,
			    "page 0 gen1");
	good &= check_int(f.seen[0][0], 1, "page 0 seen-mark is 1");
	good &= check_flags(see(&f, 1, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 1 gen0 after page 0 gen1");
	good &= check_flags(see(&f, 1, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 1 gen0 once more");
	good &= check_only(&f, 0, MML_NEW_THEN_STALE, true, 2);
	good &= check_int(f.seen[0][1], 0, "page 1 seen-mark is still 0");
	good &= check_flags(see(&f, 1, 1, r1, r1), 0, "page 1 gen1");
	good &= check_flags(see(&f, 1, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 1 gen0 after page 1 gen1");
	good &= check_int(f.o[0].count[MML_SAME_PAGE][1], 1,
			  "now it is same-page");
	good &= check_int(f.o[0].count[MML_NEW_THEN_STALE][1], 2,
			  "new-then-stale count unchanged");
	fx_end(&f);
	return good;
}

/* Same-page also when the new value on the page came from the fast path
 * (M already known from completed). */
static bool t_seen_mark_fast_path(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t d1 = mml_state_done(1);
	bool good = true;
	good &= check_flags(see(&f, 2, 1, d1, d1), 0, "page 2 gen1 after op 1");
	good &= check_int(f.seen[0][2], 1, "page 2 seen-mark is 1");
	good &= check_flags(see(&f, 2, 0, d1, d1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 2 gen0 after gen1");
	good &= check_only(&f, 0, MML_SAME_PAGE, true, 1);
	fx_end(&f);
	return good;
}

/* ---- bookkeeping ---- */

/* Expected violations take at most half the kept room, so a finding after
 * a flood of them is kept. */
static bool t_keep_room_for_findings(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_PIECEWISE, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 1, r1, r1), MML_OBSERVED_RAISED,
			    "page 0 gen1");
	for (int sweep = 0; sweep < 4; sweep++)
		for (uint32_t p = 1; p < 4; p++)
			good &= check_flags(see(&f, p, 0, r1, r1),
					    MML_OBSERVED_VIOLATION,
					    "gen0 on a later page is expected");
	good &= check_flags(see(&f, 0, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 0 gen0 is same-page");
	good &= check_int(f.o[0].count[MML_NEW_THEN_STALE][0], 12,
			  "12 expected new-then-stale");
	good &= check_int(f.o[0].count[MML_SAME_PAGE][1], 1, "1 same-page finding");
	good &= check_int(f.o[0].nkept, FX_KEEP / 2 + 1, "kept half plus the finding");
	good &= check_int(f.o[0].nkept_expected, FX_KEEP / 2, "expected kept");
	good &= check_kept(&f, FX_KEEP / 2, MML_SAME_PAGE, true, 1, 1,
			   MML_SRC_OWN);
	fx_end(&f);
	return good;
}

/* The first violation of another class is kept beyond the room, once,
 * and takes none of the room left for findings. */
static bool t_keep_first_of_each_class(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_PIECEWISE, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = check_flags(see(&f, 0, 1, r1, r1), MML_OBSERVED_RAISED,
				"page 0 gen1");
	for (int sweep = 0; sweep < 4; sweep++)
		for (uint32_t p = 1; p < 4; p++)
			see(&f, p, 0, r1, r1);
	struct mml_violation other = {.cls = MML_CAUSALITY, .op = 1, .run = FX_RUN};
	good &= check_flags(mml_oracle_record(&f.o[0], &other), MML_OBSERVED_VIOLATION,
			    "an expected violation of another class");
	good &= check_flags(mml_oracle_record(&f.o[0], &other), MML_OBSERVED_VIOLATION,
			    "another one");
	good &= check_int(f.o[0].nkept, FX_KEEP / 2 + 1, "the first of the class is kept");
	good &= check_int(f.o[0].kept[FX_KEEP / 2].cls, MML_CAUSALITY, "after the others");
	for (uint32_t p = 1; p < 4; p++)
		see(&f, p, 1, r1, r1);
	for (uint32_t p = 0; p < 4; p++)
		good &= check_flags(see(&f, p, 0, r1, r1),
				    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
				    "same-page findings");
	good &= check_int(f.o[0].nkept, FX_KEEP / 2 + 1 + 4,
			  "every finding kept: the room was all theirs");
	good &= check_int(f.o[0].count[MML_CAUSALITY][0], 2, "both counted");
	fx_end(&f);
	return good;
}

/* Reset forgets knowledge and seen-marks, keeps the counts. */
static bool t_reset(void)
{
	struct fixture f;
	if (!fx_classic(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 0, 1, r1, r1), MML_OBSERVED_RAISED,
			    "page 0 gen1");
	good &= check_flags(see(&f, 0, 0, r1, r1),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "page 0 gen0");
	mml_oracle_reset(&f.o[0]);
	good &= check_knowledge(&f, 0, MML_SRC_INITIAL);
	good &= check_int(f.seen[0][0], 0, "seen-mark cleared");
	good &= check_flags(see(&f, 0, 0, 0, 0), 0, "page 0 gen0 next iteration");
	good &= check_flags(see(&f, 1, 0, 0, 0), 0, "page 1 gen0 next iteration");
	good &= check_only(&f, 0, MML_SAME_PAGE, true, 1);
	fx_end(&f);
	return good;
}

/* ---- candidates are limited to ops that had started ---- */

/* Anonymous gen0 on 4 pages; op 1 dontneed (ZERO), op 2 munmap (HOLE),
 * op 3 mprotect read (ZERO again, the reservation made readable): ZERO has
 * candidates {1, 3}. */
static bool fx_zeros_twice(struct fixture *f)
{
	fx_program(f, 4, MML_BACKING_ANON);
	fx_op(f, MML_OP_DONTNEED, 0, 4, MML_BACKING_ANON, MML_PROT_READ);
	fx_op(f, MML_OP_MUNMAP, 0, 4, MML_BACKING_ANON, MML_PROT_NONE);
	fx_op(f, MML_OP_MPROTECT, 0, 4, MML_BACKING_ANON, MML_PROT_READ);
	return fx_start(f);
}

/* anon gen0; op 1 dontneed (ZERO), op 2 munmap (HOLE), op 3 mprotect read
 * (ZERO again).  While munmap (not atomic) runs: HOLE on page 0, ZERO still
 * on page 1 (legal: munmap zaps page by page), HOLE on page 0 again.  ZERO
 * on page 1 has candidates {1, 3}; taking min(cand & [F=2, K]) = 3 would
 * raise M to an op that has not started, and the next HOLE would become a
 * new-then-stale finding against op 3: a false positive on a correct
 * kernel. */
/* Ops 1 shrink 0-8, 2 mprotect none 0-8, 3 mprotect read 0-8 on 16 pages:
 * shrink keeps page 0 in its own VMA and leaves a boundary at page 1,
 * inside the later ops' ranges though at none of the shrink's ends.  So
 * op 3 may give page 0 back before pages 1-7: expected, no finding. */
static bool t_boundary_inside_earlier_op(void)
{
	struct fixture f;
	fx_program(&f, 16, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_SHRINK, 0, 8, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 8, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 8, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	bool good = check(!mml_op_atomic(&f.p, 3), "op 3 may span two VMAs");
	good &= check_int(mml_op_next_vma_boundary(&f.p, 3, 0), 1,
			  "shrink leaves a boundary after its kept folio");
	uint8_t r3 = mml_state_running(3);
	good &= check_flags(see(&f, 0, 0, r3, r3), MML_OBSERVED_RAISED,
			    "gen0 back on page 0 during op 3");
	good &= check_flags(see(&f, 1, MML_V_HOLE, r3, r3), MML_OBSERVED_VIOLATION,
			    "a HOLE on page 1 is an expected new-then-stale");
	good &= check_only(&f, 0, MML_NEW_THEN_STALE, false, 1);
	fx_end(&f);
	return good;
}

/* piecewise maps folio by folio, each a VMA of its own: an mprotect over
 * its range later spans them all. */
static bool t_boundary_inside_piecewise(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_PIECEWISE, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 1, 3, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	bool good = check(!mml_op_atomic(&f.p, 2), "op 2 may span four VMAs");
	good &= check(!mml_op_atomic(&f.p, 3), "op 3 may span two VMAs");
	good &= check_int(mml_op_next_vma_boundary(&f.p, 2, 2), 3,
			  "a boundary between every two pages");
	fx_end(&f);
	return good;
}

/* Anonymous: 1 dontneed, 2 munmap, 3 mprotect read, on 2 pages.  A ZERO on
 * page 1 read while munmap was in flight (and seen after op 3 started) is
 * explained by dontneed as well as by op 3: it proves nothing above op 1
 * (the bound L).  Raising M to 3 would make the legal HOLE on page 0 that
 * follows a new-then-stale against op 3, which is atomic. */
static bool t_bound_l_spanning_read(void)
{
	struct fixture f;
	fx_program(&f, 2, MML_BACKING_ANON);
	fx_op(&f, MML_OP_DONTNEED, 0, 2, MML_BACKING_ANON, MML_PROT_NONE);
	fx_op(&f, MML_OP_MUNMAP, 0, 2, MML_BACKING_ANON, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 2, MML_BACKING_ANON, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r2 = mml_state_running(2), r3 = mml_state_running(3);
	bool good = true;
	good &= check_flags(see(&f, 0, MML_V_HOLE, r2, r2), MML_OBSERVED_RAISED,
			    "page 0 HOLE during op 2 raises M to 2");
	good &= check_flags(see(&f, 1, MML_V_ZERO, r2, r3), 0,
			    "page 1 ZERO from op 2 in flight to op 3 started");
	good &= check_int(f.o[0].k.m, 2, "M stays at 2");
	good &= check_flags(see(&f, 0, MML_V_HOLE, r3, r3), 0,
			    "page 0 HOLE while op 3 runs is legal");
	good &= check_clean(&f);
	fx_end(&f);
	return good;
}

/* Anonymous: 1 free 0-2, 2 dontneed 0-3.  Page 2 (not freed) reads ZERO
 * while op 2 runs: M = 2.  Page 0 then reads ZERO, which is also what
 * MADV_FREE may show before dontneed reaches the page, and then its old
 * content: a new-then-stale (dontneed is not atomic), not a same-page
 * finding, since the ZERO proved only op 1. */
static bool t_bound_l_fast_path_alternative(void)
{
	struct fixture f;
	fx_program(&f, 3, MML_BACKING_ANON);
	fx_op(&f, MML_OP_FREE, 0, 2, MML_BACKING_ANON, MML_PROT_NONE);
	fx_op(&f, MML_OP_DONTNEED, 0, 3, MML_BACKING_ANON, MML_PROT_NONE);
	if (!fx_start(&f))
		return false;
	uint8_t r2 = mml_state_running(2);
	uint8_t gen0 = fx_value(&f, 0, 0);
	bool good = true;
	good &= check_flags(see(&f, 2, MML_V_ZERO, r2, r2), MML_OBSERVED_RAISED,
			    "page 2 ZERO during op 2 raises M to 2");
	good &= check_flags(see(&f, 0, MML_V_ZERO, r2, r2), 0,
			    "page 0 ZERO during op 2");
	good &= check_flags(see(&f, 0, gen0, r2, r2), MML_OBSERVED_VIOLATION,
			    "then its old content: expected");
	good &= check_only(&f, 0, MML_NEW_THEN_STALE, false, 1);
	fx_end(&f);
	return good;
}

/* Anonymous, 3 pages: 1 shrink 0-3 (pages 1-2 become holes), 2 piecewise
 * 0-3.  gen2 on page 0 raises M to 2 while op 2 runs; gen0 on page 1
 * after op 1 returned is stale after op 1's return, whatever op 2 in
 * flight (a control) allows. */
static bool t_stale_against_returned_op(void)
{
	struct fixture f;
	fx_program(&f, 3, MML_BACKING_ANON);
	fx_op(&f, MML_OP_SHRINK, 0, 3, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_PIECEWISE, 0, 3, MML_BACKING_MEMFD, MML_PROT_NONE);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1), r2 = mml_state_running(2);
	bool good = check_flags(see(&f, 0, 2, r1, r2), MML_OBSERVED_RAISED,
				"gen2 on page 0 raises M to 2");
	good &= check_flags(see(&f, 1, fx_value(&f, 1, 0), r2, r2),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "gen0 on page 1 once shrink returned");
	good &= check_kept(&f, 0, MML_STALE_AFTER_RETURN, true, 1, 2, MML_SRC_OWN);
	fx_end(&f);
	return good;
}

/* memfd, 2 pages: 1 mprotect none 0-2, 2 mprotect read 1-2, both atomic.
 * A HOLE on page 0 proves op 1 in effect on page 1 as well, so gen0 on
 * page 1 read from op 1 in flight to op 2 started proves op 2 (the bound
 * L does not apply to an atomic op known in effect), and a HOLE on page 1
 * after it goes back in time. */
static bool t_bound_l_atomic_known(void)
{
	struct fixture f;
	fx_program(&f, 2, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MPROTECT, 0, 2, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 1, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1), r2 = mml_state_running(2);
	bool good = check_flags(see(&f, 0, MML_V_HOLE, r1, r1), MML_OBSERVED_RAISED,
				"HOLE on page 0 during op 1");
	good &= check_flags(see(&f, 1, 0, r1, r2), MML_OBSERVED_RAISED,
			    "gen0 on page 1 proves op 2");
	good &= check_flags(see(&f, 1, MML_V_HOLE, r2, r2),
			    MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING,
			    "then a HOLE on page 1 again");
	good &= check_only(&f, 0, MML_SAME_PAGE, true, 1);
	fx_end(&f);
	return good;
}

static bool t_unstarted_candidate_no_false_positive(void)
{
	struct fixture f;
	if (!fx_zeros_twice(&f))
		return false;
	uint8_t r2 = mml_state_running(2);
	bool good = true;
	good &= check_flags(see(&f, 0, MML_V_HOLE, r2, r2), MML_OBSERVED_RAISED,
			    "page 0 HOLE during op 2");
	int flags = see(&f, 1, MML_V_ZERO, r2, r2);
	good &= check(!(flags & MML_OBSERVED_FINDING),
		      "page 1 ZERO during op 2 is no finding");
	good &= check(f.o[0].k.m <= 2, "M stays at an op that has started");
	flags = see(&f, 0, MML_V_HOLE, r2, r2);
	good &= check(!(flags & MML_OBSERVED_FINDING),
		      "page 0 HOLE again during op 2 is no finding");
	for (int c = 0; c < MML_CLASS_COUNT; c++)
		good &= check_int(f.o[0].count[c][1], 0, "no finding counted");
	fx_end(&f);
	return good;
}

/* op 1 mprotect none, op 2 mprotect read (both atomic).  While op 1 runs:
 * HOLE on page 1, then gen0 on page 0: hole-then-data for an atomic op.
 * gen0 has candidates {0, 2}; op 2 had not started, so it cannot explain
 * the value and the finding must not be missed. */
static bool t_unstarted_candidate_no_missed_finding(void)
{
	struct fixture f;
	fx_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t r1 = mml_state_running(1);
	bool good = true;
	good &= check_flags(see(&f, 1, MML_V_HOLE, r1, r1), MML_OBSERVED_RAISED,
			    "page 1 HOLE during op 1");
	int flags = see(&f, 0, 0, r1, r1);
	good &= check(flags & MML_OBSERVED_FINDING,
		      "page 0 gen0 during op 1 is a finding");
	good &= check_int(f.o[0].count[MML_HOLE_THEN_DATA][1], 1,
			  "counted as hole-then-data");
	good &= check(f.o[0].k.m <= 1, "M stays at an op that has started");
	fx_end(&f);
	return good;
}

/* anon gen0; op 1 dontneed (ZERO), op 2 munmap (HOLE), op 3 mprotect read
 * (ZERO again).  After op 1 the reader sees ZERO on page 1; while munmap
 * runs it sees HOLE on page 0, then ZERO on page 1 again (munmap has not
 * reached it).  The first ZERO proved only op 1, not op 3, so the page did
 * not go back in time: expected hole-then-data, not a same-page finding. */
static bool t_ambiguous_value_is_no_seen_mark(void)
{
	struct fixture f;
	if (!fx_zeros_twice(&f))
		return false;
	uint8_t d1 = mml_state_done(1), r2 = mml_state_running(2);
	bool good = true;
	good &= check_flags(see(&f, 1, MML_V_ZERO, d1, d1), 0,
			    "page 1 ZERO after op 1");
	good &= check_int(f.seen[0][1], 1, "page 1 proved op 1, not op 3");
	good &= check_flags(see(&f, 0, MML_V_HOLE, r2, r2), MML_OBSERVED_RAISED,
			    "page 0 HOLE during op 2");
	good &= check_flags(see(&f, 1, MML_V_ZERO, r2, r2), MML_OBSERVED_VIOLATION,
			    "page 1 ZERO during op 2 is a violation, not a finding");
	good &= check_only(&f, 0, MML_HOLE_THEN_DATA, false, 1);
	fx_end(&f);
	return good;
}

/* ---- the list ---- */

static const struct scenario scenarios[] = {
	{"policy: mprotect is atomic within one VMA only", t_mprotect_policy_per_vma},
	{"new-then-stale: mprotect across two VMAs is expected, same-page is not",
	 t_mprotect_across_vmas},
	{"new-then-stale: mapfixed, gen1 on page 0 then gen0 on page 1",
	 t_new_then_stale},
	{"hole-then-data: munmap, HOLE then old data is expected",
	 t_hole_then_data_munmap},
	{"hole-then-data: mprotect none, HOLE then old data is a finding",
	 t_hole_then_data_mprotect},
	{"same-page: gen1 then gen0 on one page", t_same_page},
	{"stale-after-return: completed says op 1 done, page shows gen0",
	 t_stale_after_return},
	{"stale-after-return: op 2 seen, page covered only by op 1 stale",
	 t_stale_after_later_op},
	{"stale-after-return: op 2 known from a peer, F = 1 < M = 2",
	 t_stale_after_later_op_peer},
	{"future: gen2 while only op 1 started", t_future},
	{"misdirected: BAD word", t_misdirected_bad},
	{"misdirected: gen1 on a page op 1 never covers",
	 t_misdirected_generation},
	{"misdirected: ZERO on a memfd page no op zeroes", t_misdirected_zero},
	{"misdirected: tag of an earlier run, not stale", t_misdirected_old_run},
	{"misdirected: other page's tag, generation beyond K",
	 t_misdirected_tag_reduction},
	{"legal: old then new", t_legal_old_then_new},
	{"legal: page outside the op's range keeps gen0",
	 t_legal_outside_range},
	{"legal: gen0 restored by mprotect read after mprotect none",
	 t_legal_restored_value},
	{"legal: ZERO from dontneed and mapfixed anon, smallest candidate",
	 t_legal_zero_dontneed_then_mapfixed},
	{"legal: ZERO from dontneed twice, smallest candidate",
	 t_legal_zero_dontneed_twice},
	{"legal: M from completed, then gen1", t_legal_completed_then_new},
	{"legal: final sweep after the mapper is done", t_legal_final_sweep},
	{"legal: dontneed on a shared memfd page does not cover it",
	 t_legal_noop_dontneed},
	{"non-covering dontneed leaves F at the op before it",
	 t_noop_dontneed_keeps_cover},
	{"knowledge: own observation raises M", t_knowledge_own},
	{"knowledge: completed raises M", t_knowledge_completed},
	{"causality: peer M, then a stale read, under an atomic op is a finding",
	 t_knowledge_peer},
	{"causality: peer HOLE on the same page under munmap is expected",
	 t_causality_same_page_not_atomic},
	{"causality: peer HOLE under mprotect none is a finding, not hole-then-data",
	 t_causality_hole_news_atomic},
	{"causality: peer news that is no news leaves new-then-stale",
	 t_causality_needs_news},
	{"causality: own new then old on the page after peer news is same-page",
	 t_causality_then_own_same_page},
	{"knowledge: peer M that is no news is ignored",
	 t_knowledge_peer_not_news},
	{"seen-mark: page that only showed gen0 is new-then-stale, not same-page",
	 t_seen_mark_exact},
	{"seen-mark: fast-path read of gen1 marks the page", t_seen_mark_fast_path},
	{"kept: expected violations leave room for a finding",
	 t_keep_room_for_findings},
	{"kept: the first of another class is kept beyond the room",
	 t_keep_first_of_each_class},
	{"reset forgets knowledge and seen-marks, keeps counts", t_reset},
	{"unstarted candidate: ZERO also installed by a later op, during munmap, is no finding",
	 t_unstarted_candidate_no_false_positive},
	{"unstarted candidate: gen0 restored only by a later op, during mprotect none, is found",
	 t_unstarted_candidate_no_missed_finding},
	{"seen-mark: an ambiguous value proves only its earliest op (no false same-page)",
	 t_ambiguous_value_is_no_seen_mark},
	{"per-VMA: a boundary shrink left inside the range counts",
	 t_boundary_inside_earlier_op},
	{"per-VMA: piecewise leaves a boundary between its folios",
	 t_boundary_inside_piecewise},
	{"bound L: a read spanning two ops proves no op above the one before F",
	 t_bound_l_spanning_read},
	{"bound L: the fast path proves no more than the slow one",
	 t_bound_l_fast_path_alternative},
	{"stale: judged against the last returned op that covers the page",
	 t_stale_against_returned_op},
	{"bound L: an atomic op known in effect is in effect on every page",
	 t_bound_l_atomic_known},
};

enum { NSCENARIOS = sizeof scenarios / sizeof scenarios[0] };

int main(void)
{
	for (int i = 0; i < NSCENARIOS; i++)
		ok(scenarios[i].run(), scenarios[i].name);
	for (int k = 0; k < NPOLICY_KINDS; k++) {
		enum mml_op_kind kind = policy_kinds[k];
		const struct mml_op_class *c = mml_op_class(kind);
		for (int s = 0; s < SHAPE_COUNT; s++) {
			bool expected = (s == SHAPE_CROSS_PAGE ||
					 s == SHAPE_CAUSALITY) && !c->atomic;
			char name[128];
			snprintf(name, sizeof name, "policy: %s (%s) %s is %s",
				 c->name, c->atomic ? "atomic" : "non-atomic",
				 shape_names[s],
				 expected ? "expected" : "a finding");
			ok(t_policy(kind, (enum shape)s), name);
		}
	}
	return tap_done();
}
