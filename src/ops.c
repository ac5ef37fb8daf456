#include "ops.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

static char *page_addr(const struct mml_target *t, uint32_t page)
{
	return t->base + (size_t)page * t->page_size;
}

static size_t range_len(const struct mml_target *t, const struct mml_op *op)
{
	return (size_t)(op->hi - op->lo) * t->page_size;
}

/* A new generation's pages: its tags, or fresh zeros for anonymous memory
 * that nobody could have written before the mapping existed. */
static void install_generation(const struct mml_op *op, unsigned gen,
			       struct mml_page_state *s)
{
	bool file = op->backing != MML_BACKING_ANON;
	s->content = file ? (uint8_t)gen : MML_V_ZERO;
	s->readable = true;
	s->shared = file;
}

/* mapfixed: mmap(MAP_FIXED) of generation j over [lo, hi).
 * Atomic: the old VMA is replaced under the mmap write lock, and a reader
 * that faults meanwhile waits for it. */
static int apply_mapfixed(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	return mml_store_map(&t->stores[gen], page_addr(t, op->lo), op->lo,
			     op->hi, false);
}

/* munmap: the pages become a hole.  The range is reserved again at once
 * (PROT_NONE, still a hole to a reader) so that nothing else can be placed
 * there.  Not atomic: the kernel zaps page tables after downgrading the
 * mmap lock to read, so a reader can fault on one page and still read
 * another. */
static void effect_munmap(const struct mml_op *op, unsigned gen,
			  struct mml_page_state *s)
{
	(void)op, (void)gen;
	s->content = MML_V_ZERO; /* what the reservation holds if made readable */
	s->readable = false;
	s->shared = false;
}

static int apply_munmap(const struct mml_target *t, const struct mml_op *op,
			unsigned gen)
{
	(void)gen;
	if (munmap(page_addr(t, op->lo), range_len(t, op)) < 0)
		return -errno;
	return mml_reserve(page_addr(t, op->lo), range_len(t, op));
}

/* mremap: move a prepared mapping of generation j onto [lo, hi) with
 * MREMAP_MAYMOVE | MREMAP_FIXED.  Atomic: the destination is unmapped and
 * the page tables moved under the mmap write lock. */
static int prepare_mremap(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	return mml_store_install(&t->stores[gen], t->staging[gen], op->lo,
				 op->hi, t->run, gen, true);
}

static int apply_mremap(const struct mml_target *t, const struct mml_op *op,
			unsigned gen)
{
	size_t len = range_len(t, op);
	void *got = mremap(t->staging[gen], len, len,
			   MREMAP_MAYMOVE | MREMAP_FIXED, page_addr(t, op->lo));
	if (got == MAP_FAILED)
		return -errno;
	return mml_reserve(t->staging[gen], len);
}

static void effect_mremap(const struct mml_op *op, unsigned gen,
			  struct mml_page_state *s)
{
	s->content = (uint8_t)gen; /* anonymous memory was tagged in staging */
	s->readable = true;
	s->shared = op->backing != MML_BACKING_ANON;
}

/* dontneed: madvise(MADV_DONTNEED).  Private anonymous pages read as zeros
 * afterwards; shared file pages read the file again, which a reader cannot
 * tell apart, so the op does not cover them.  Not atomic: page tables are
 * zapped under the mmap read lock. */
static void effect_dontneed(const struct mml_op *op, unsigned gen,
			    struct mml_page_state *s)
{
	(void)op, (void)gen;
	if (!s->shared)
		s->content = MML_V_ZERO;
}

static int apply_dontneed(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	(void)gen;
	if (madvise(page_addr(t, op->lo), range_len(t, op), MADV_DONTNEED) < 0)
		return -errno;
	return 0;
}

/* mprotect: to PROT_NONE (a hole) or back to readable (the content returns,
 * or zeros where a munmap left the reservation).  Atomic: protections change
 * under the mmap write lock, and the TLB is flushed before it is released;
 * a reader that faults meanwhile waits for the lock. */
static void effect_mprotect(const struct mml_op *op, unsigned gen,
			    struct mml_page_state *s)
{
	(void)gen;
	s->readable = op->prot == MML_PROT_READ;
}

static int apply_mprotect(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	(void)gen;
	int prot = op->prot == MML_PROT_READ ? PROT_READ | PROT_WRITE : PROT_NONE;
	if (mprotect(page_addr(t, op->lo), range_len(t, op), prot) < 0)
		return -errno;
	return 0;
}

/* piecewise: the control.  One logical op that maps generation j one page
 * at a time, so a reader that follows it sees new-then-stale: proof that the
 * oracle and everything after it can fire.  Not atomic by construction. */
static int apply_piecewise(const struct mml_target *t, const struct mml_op *op,
			   unsigned gen)
{
	const struct mml_store *s = &t->stores[gen];
	for (uint32_t i = 0; i < op->hi - op->lo; i++) {
		uint32_t p = op->descending ? op->hi - 1 - i : op->lo + i;
		int err = mml_store_map(s, page_addr(t, p), p, p + 1, false);
		if (err)
			return err;
	}
	return 0;
}

static const struct mml_op_class classes[MML_OP_COUNT] = {
	[MML_OP_MAPFIXED] = {.name = "mapfixed", .atomic = true,
			     .params = MML_PARAM_BACKING, .needs_store = true,
			     .effect = install_generation, .apply = apply_mapfixed},
	[MML_OP_MUNMAP] = {.name = "munmap", .effect = effect_munmap,
			   .apply = apply_munmap},
	[MML_OP_MREMAP] = {.name = "mremap", .atomic = true,
			   .params = MML_PARAM_BACKING, .needs_store = true,
			   .effect = effect_mremap, .prepare = prepare_mremap,
			   .apply = apply_mremap},
	[MML_OP_DONTNEED] = {.name = "dontneed", .effect = effect_dontneed,
			     .apply = apply_dontneed},
	[MML_OP_MPROTECT] = {.name = "mprotect", .atomic = true, .per_vma = true,
			     .params = MML_PARAM_PROT, .effect = effect_mprotect,
			     .apply = apply_mprotect},
	[MML_OP_PIECEWISE] = {.name = "piecewise", .control = true,
			      .params = MML_PARAM_BACKING | MML_PARAM_DIRECTION,
			      .needs_store = true, .effect = install_generation,
			      .apply = apply_piecewise},
};

const struct mml_op_class *mml_op_class(enum mml_op_kind kind)
{
	return &classes[kind];
}

/* Whether an earlier op may have left a VMA boundary strictly inside op j's
 * range.  Every op but dontneed maps, unmaps or changes protection over
 * its range, which splits the region's VMA at the range's ends; they may
 * merge again, so this can only say "may span", which errs towards
 * calling a violation expected, never towards a false finding. */
static bool may_span_vmas(const struct mml_program *p, unsigned j)
{
	const struct mml_op *op = &p->ops[j - 1];
	for (unsigned i = 1; i < j; i++) {
		const struct mml_op *e = &p->ops[i - 1];
		if (e->kind == MML_OP_DONTNEED)
			continue;
		if ((e->lo > op->lo && e->lo < op->hi) ||
		    (e->hi > op->lo && e->hi < op->hi))
			return true;
	}
	return false;
}

bool mml_program_has_control(const struct mml_program *p)
{
	for (unsigned i = 0; i < p->nops; i++)
		if (mml_op_class(p->ops[i].kind)->control)
			return true;
	return false;
}

bool mml_op_atomic(const struct mml_program *p, unsigned j)
{
	const struct mml_op_class *c = mml_op_class(p->ops[j - 1].kind);
	return c->atomic && !(c->per_vma && may_span_vmas(p, j));
}

int mml_op_kind_parse(const char *name)
{
	for (int k = 0; k < MML_OP_COUNT; k++)
		if (strcmp(classes[k].name, name) == 0)
			return k;
	return -1;
}
