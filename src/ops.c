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
	[MML_OP_MAPFIXED] = {"mapfixed", true, false, MML_PARAM_BACKING, true,
			     install_generation, NULL, apply_mapfixed},
	[MML_OP_MUNMAP] = {"munmap", false, false, 0, false,
			   effect_munmap, NULL, apply_munmap},
	[MML_OP_MREMAP] = {"mremap", true, false, MML_PARAM_BACKING, true,
			   effect_mremap, prepare_mremap, apply_mremap},
	[MML_OP_DONTNEED] = {"dontneed", false, false, 0, false,
			     effect_dontneed, NULL, apply_dontneed},
	[MML_OP_MPROTECT] = {"mprotect", true, false, MML_PARAM_PROT, false,
			     effect_mprotect, NULL, apply_mprotect},
	[MML_OP_PIECEWISE] = {"piecewise", false, true,
			      MML_PARAM_BACKING | MML_PARAM_DIRECTION, true,
			      install_generation, NULL, apply_piecewise},
};

const struct mml_op_class *mml_op_class(enum mml_op_kind kind)
{
	return &classes[kind];
}

int mml_op_kind_parse(const char *name)
{
	for (int k = 0; k < MML_OP_COUNT; k++)
		if (strcmp(classes[k].name, name) == 0)
			return k;
	return -1;
}
