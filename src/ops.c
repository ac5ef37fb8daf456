#include "ops.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc 2.36 knows MADV_COLLAPSE only through <linux/mman.h>, which
 * clashes with <sys/mman.h>; the number is the kernel ABI (Linux 6.1). */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

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
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)page, (void)folio;
	bool file = op->backing != MML_BACKING_ANON;
	*s = (struct mml_page_state){.content = file ? (uint8_t)gen : MML_V_ZERO,
				     .alt = MML_V_BAD,
				     .file = file ? (uint8_t)gen : MML_V_BAD,
				     .readable = true, .shared = file,
				     .locked = op->locked};
}

/* What a range left by munmap holds: the PROT_NONE reservation. */
static void become_reservation(struct mml_page_state *s)
{
	*s = (struct mml_page_state){.content = MML_V_ZERO, .alt = MML_V_BAD,
				     .file = MML_V_BAD};
}

static const char *refuses_locked(const struct mml_page_state *s)
{
	return s->locked ? "the kernel refuses to drop mlock'ed pages" : NULL;
}

/* mapfixed: mmap(MAP_FIXED) of generation j over [lo, hi).
 * Atomic: the old VMA is replaced under the mmap write lock, and a reader
 * that faults meanwhile waits for it. */
static int apply_mapfixed(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	int flags = (op->populate ? MAP_POPULATE : 0) | (op->locked ? MAP_LOCKED : 0);
	return mml_store_map(&t->stores[gen], page_addr(t, op->lo), op->lo,
			     op->hi, flags);
}

/* munmap: the pages become a hole.  The range is reserved again at once
 * (PROT_NONE, still a hole to a reader) so that nothing else can be placed
 * there.  Not atomic: the kernel zaps page tables after downgrading the
 * mmap lock to read, so a reader can fault on one page and still read
 * another. */
static void effect_munmap(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio;
	become_reservation(s);
}

static int apply_munmap(const struct mml_target *t, const struct mml_op *op,
			unsigned gen)
{
	(void)gen;
	if (munmap(page_addr(t, op->lo), range_len(t, op)) < 0)
		return -errno;
	return 0;
}

static int finish_munmap(const struct mml_target *t, const struct mml_op *op,
			 unsigned gen)
{
	(void)gen;
	return mml_reserve(page_addr(t, op->lo), range_len(t, op));
}

/* mremap: move a prepared mapping of generation j onto [lo, hi) with
 * MREMAP_MAYMOVE | MREMAP_FIXED, from a source placed as op->align says.
 * Atomic: the destination is unmapped and the page tables moved under the
 * mmap write lock.  With MREMAP_DONTUNMAP the source stays mapped, empty. */
static int prepare_mremap(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	return mml_store_install(&t->stores[gen], t->staging[gen], op->lo,
				 op->hi, t->run, gen, true);
}

static int move_staging(const struct mml_target *t, const struct mml_op *op,
			unsigned gen, size_t from_len)
{
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED |
		    (op->dontunmap ? MREMAP_DONTUNMAP : 0);
	void *got = mremap(t->staging[gen], from_len, range_len(t, op), flags,
			   page_addr(t, op->lo));
	return got == MAP_FAILED ? -errno : 0;
}

static int apply_mremap(const struct mml_target *t, const struct mml_op *op,
			unsigned gen)
{
	return move_staging(t, op, gen, range_len(t, op));
}

/* The source left behind is reserved again, as munmap's range is. */
static int finish_mremap(const struct mml_target *t, const struct mml_op *op,
			 unsigned gen)
{
	return mml_reserve(t->staging[gen], range_len(t, op));
}

static void effect_mremap(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	install_generation(op, gen, page, folio, s);
	s->content = (uint8_t)gen; /* anonymous memory was tagged in staging */
}

/* grow: mremap a prepared mapping of the range's first half onto the
 * range, growing it to the whole range on the way.  The grown part maps
 * the file further on (its tags) or, for anonymous memory, fresh zeros.
 * Atomic, as mremap. */
uint32_t mml_grow_from(const struct mml_op *op, uint32_t folio)
{
	uint32_t half = (op->hi - op->lo) / 2 / folio * folio;
	return half ? half : folio;
}

static int prepare_grow(const struct mml_target *t, const struct mml_op *op,
			unsigned gen)
{
	return mml_store_install(&t->stores[gen], t->staging[gen], op->lo,
				 op->lo + mml_grow_from(op, t->step), t->run, gen, true);
}

static size_t grow_from_len(const struct mml_target *t, const struct mml_op *op)
{
	return (size_t)mml_grow_from(op, t->step) * t->page_size;
}

static int apply_grow(const struct mml_target *t, const struct mml_op *op,
		      unsigned gen)
{
	return move_staging(t, op, gen, grow_from_len(t, op));
}

static int finish_grow(const struct mml_target *t, const struct mml_op *op,
		       unsigned gen)
{
	return mml_reserve(t->staging[gen], grow_from_len(t, op));
}

static void effect_grow(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	install_generation(op, gen, page, folio, s);
	if (page < op->lo + mml_grow_from(op, folio))
		s->content = (uint8_t)gen;
}

/* shrink: mremap of [lo, hi) in place to its first folio; the rest is
 * unmapped and reserved again.  Not atomic: it is munmap of the tail, and
 * kernels before 6.x zapped it under a downgraded lock, as munmap does. */
static size_t shrink_keep_len(const struct mml_target *t)
{
	return (size_t)t->step * t->page_size;
}

static int apply_shrink(const struct mml_target *t, const struct mml_op *op,
			unsigned gen)
{
	(void)gen;
	if (mremap(page_addr(t, op->lo), range_len(t, op), shrink_keep_len(t), 0) ==
	    MAP_FAILED)
		return -errno;
	return 0;
}

static int finish_shrink(const struct mml_target *t, const struct mml_op *op,
			 unsigned gen)
{
	(void)gen;
	size_t keep = shrink_keep_len(t);
	return mml_reserve(page_addr(t, op->lo) + keep, range_len(t, op) - keep);
}

static void effect_shrink(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)gen;
	if (page >= op->lo + folio)
		become_reservation(s);
}

/* dontneed: madvise(MADV_DONTNEED).  Private anonymous pages read as zeros
 * afterwards; shared file pages read the file again, which a reader cannot
 * tell apart, so the op does not cover them.  Not atomic: page tables are
 * zapped under the mmap read lock. */
static void effect_dontneed(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio;
	if (!s->shared) {
		s->content = MML_V_ZERO;
		s->alt = MML_V_BAD;
	}
}

static int advise(const struct mml_target *t, const struct mml_op *op,
		  int advice)
{
	if (madvise(page_addr(t, op->lo), range_len(t, op), advice) < 0)
		return -errno;
	return 0;
}

static int apply_dontneed(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	(void)gen;
	return advise(t, op, MADV_DONTNEED);
}

/* free: madvise(MADV_FREE) of private anonymous pages.  The value class
 * is "the old content, or zeros": the kernel keeps the page until reclaim
 * wants it, so either may be read, at any time after the op began.  The
 * op covers nothing; zeros are its alternative value. */
static void effect_free(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio;
	if (s->content != MML_V_ZERO)
		s->alt = MML_V_ZERO;
}

static const char *refuses_free(const struct mml_page_state *s)
{
	if (s->shared)
		return "MADV_FREE takes private anonymous memory only";
	return refuses_locked(s);
}

static int apply_free(const struct mml_target *t, const struct mml_op *op,
		      unsigned gen)
{
	(void)gen;
	return advise(t, op, MADV_FREE);
}

/* remove: madvise(MADV_REMOVE) frees the backing file's pages; shared
 * memory reads zeros afterwards.  Not atomic: it punches a hole in the
 * file, and the pages are zapped one range at a time. */
static void effect_remove(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio;
	if (s->content != MML_V_HOLE)
		s->content = MML_V_ZERO;
}

static const char *refuses_remove(const struct mml_page_state *s)
{
	if (!s->shared || !s->readable)
		return "MADV_REMOVE takes shared writable mappings only";
	return NULL;
}

static int apply_remove(const struct mml_target *t, const struct mml_op *op,
			unsigned gen)
{
	(void)gen;
	return advise(t, op, MADV_REMOVE);
}

/* pageout, collapse, migrate: the kernel moves or reclaims the pages, and
 * nothing a reader sees may change; any violation while they run is a
 * finding.  They are best effort (no swap, no huge page to collapse into,
 * one NUMA node): a refusal is returned, and counted, not an error. */
static void effect_none(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio, (void)s;
}

static int apply_pageout(const struct mml_target *t, const struct mml_op *op,
			 unsigned gen)
{
	(void)gen;
	return advise(t, op, MADV_PAGEOUT);
}

static int apply_collapse(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	(void)gen;
	return advise(t, op, MADV_COLLAPSE);
}

/* Refused when no page of the range moved: then the first failure, of
 * the call or of a page (its status), says why.  Some pages moving is
 * the op doing its work. */
static int apply_migrate(const struct mml_target *t, const struct mml_op *op,
			 unsigned gen)
{
	(void)gen;
	uint32_t n = op->hi - op->lo;
	void *pages[64];
	int nodes[64], status[64];
	int refusal = 0;
	bool moved = false;
	for (uint32_t done = 0; done < n; done += 64) {
		unsigned batch = n - done < 64 ? n - done : 64;
		for (unsigned i = 0; i < batch; i++) {
			pages[i] = page_addr(t, op->lo + done + i);
			nodes[i] = t->far_node;
		}
		if (syscall(SYS_move_pages, 0, batch, pages, nodes, status,
			    MPOL_MF_MOVE) < 0) {
			refusal = refusal ? refusal : -errno;
			continue;
		}
		for (unsigned i = 0; i < batch; i++) {
			moved |= status[i] >= 0;
			if (status[i] < 0 && !refusal)
				refusal = status[i];
		}
	}
	return moved ? 0 : refusal;
}

/* mlock: no visible change; it faults the pages in and splits the VMA.
 * Later MADV_DONTNEED and MADV_FREE on the pages are refused. */
static void effect_mlock(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio;
	s->locked = true;
}

/* mlock faults every page in; a PROT_NONE page (mprotect:none, or what
 * munmap left) cannot be, and the call fails with ENOMEM after locking
 * the VMAs before it. */
static const char *refuses_mlock(const struct mml_page_state *s)
{
	if (!s->readable)
		return "mlock fails on PROT_NONE pages";
	if (s->content == MML_V_HOLE)
		return "mlock fails on pages past the end of their file";
	return NULL;
}

static int apply_mlock(const struct mml_target *t, const struct mml_op *op,
		       unsigned gen)
{
	(void)gen;
	if (mlock(page_addr(t, op->lo), range_len(t, op)) < 0)
		return -errno;
	return 0;
}

/* truncate: ftruncate of generation 0's file to the range's start.  A
 * page of that file past the new end is no value at all: a load gets
 * SIGBUS, so its value class is HOLE.  Pages mapping other files keep
 * theirs.  Not atomic: the kernel zaps the file's mappings range by range
 * (unmap_mapping_range) without the mmap lock.  The range always runs to
 * the region's end. */
static void effect_truncate(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio;
	if (s->file == 0) {
		s->content = MML_V_HOLE;
		s->alt = MML_V_BAD;
	}
}

static int apply_truncate(const struct mml_target *t, const struct mml_op *op,
			  unsigned gen)
{
	(void)gen;
	if (ftruncate(t->stores[0].fd, (off_t)op->lo * (off_t)t->page_size) < 0)
		return -errno;
	return 0;
}

/* punch: fallocate(PUNCH_HOLE) of generation 0's file over the range.
 * Shared memory reads zeros where the hole is (the page is allocated
 * again on the next fault).  Not atomic, as truncate. */
static void effect_punch(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)op, (void)gen, (void)page, (void)folio;
	if (s->file == 0 && s->content != MML_V_HOLE)
		s->content = MML_V_ZERO;
}

static int apply_punch(const struct mml_target *t, const struct mml_op *op,
		       unsigned gen)
{
	(void)gen;
	if (fallocate(t->stores[0].fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)op->lo * (off_t)t->page_size,
		      (off_t)range_len(t, op)) < 0)
		return -errno;
	return 0;
}

/* mprotect: to PROT_NONE (a hole) or back to readable (the content returns,
 * or zeros where a munmap left the reservation).  Atomic within a VMA:
 * protections change under the mmap write lock, and the TLB is flushed
 * before it is released; a reader that faults meanwhile waits for the
 * lock.  Across VMAs, see per_vma. */
static void effect_mprotect(const struct mml_op *op, unsigned gen,
		uint32_t page, uint32_t folio, struct mml_page_state *s)
{
	(void)gen, (void)page, (void)folio;
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

/* piecewise: the control.  One logical op that maps generation j one folio
 * at a time, so a reader that follows it sees new-then-stale: proof that
 * the oracle and everything after it can fire.  Not atomic by
 * construction. */
static int apply_piecewise(const struct mml_target *t, const struct mml_op *op,
			   unsigned gen)
{
	const struct mml_store *s = &t->stores[gen];
	for (uint32_t i = 0; i < op->hi - op->lo; i += t->step) {
		uint32_t p = op->descending ? op->hi - t->step - i : op->lo + i;
		int err = mml_store_map(s, page_addr(t, p), p, p + t->step, 0);
		if (err)
			return err;
	}
	return 0;
}

static const struct mml_op_class classes[MML_OP_COUNT] = {
	[MML_OP_MAPFIXED] = {.name = "mapfixed", .atomic = true, .splits = true,
			     .params = MML_PARAM_BACKING | MML_PARAM_MAPFLAGS,
			     .needs_store = true, .effect = install_generation,
			     .apply = apply_mapfixed},
	[MML_OP_MUNMAP] = {.name = "munmap", .splits = true,
			   .effect = effect_munmap, .apply = apply_munmap,
			   .finish = finish_munmap},
	[MML_OP_MREMAP] = {.name = "mremap", .atomic = true, .splits = true,
			   .params = MML_PARAM_BACKING | MML_PARAM_ALIGN |
				     MML_PARAM_DONTUNMAP,
			   .needs_store = true, .staged = true,
			   .effect = effect_mremap, .prepare = prepare_mremap,
			   .apply = apply_mremap, .finish = finish_mremap},
	[MML_OP_DONTNEED] = {.name = "dontneed", .effect = effect_dontneed,
			     .refuses = refuses_locked, .apply = apply_dontneed},
	[MML_OP_MPROTECT] = {.name = "mprotect", .atomic = true, .per_vma = true,
			     .splits = true, .params = MML_PARAM_PROT,
			     .effect = effect_mprotect, .apply = apply_mprotect},
	[MML_OP_PIECEWISE] = {.name = "piecewise", .control = true, .splits = true,
			      .params = MML_PARAM_BACKING | MML_PARAM_DIRECTION,
			      .needs_store = true, .effect = install_generation,
			      .apply = apply_piecewise},
	[MML_OP_SHRINK] = {.name = "shrink", .splits = true,
			   .effect = effect_shrink, .apply = apply_shrink,
			   .finish = finish_shrink},
	[MML_OP_GROW] = {.name = "grow", .atomic = true, .splits = true,
			 .params = MML_PARAM_BACKING | MML_PARAM_ALIGN,
			 .needs_store = true, .staged = true,
			 .effect = effect_grow, .prepare = prepare_grow,
			 .apply = apply_grow, .finish = finish_grow},
	[MML_OP_TRUNCATE] = {.name = "truncate", .releases_file = true, .effect = effect_truncate,
			     .apply = apply_truncate},
	[MML_OP_PUNCH] = {.name = "punch", .releases_file = true, .effect = effect_punch,
			  .apply = apply_punch},
	[MML_OP_FREE] = {.name = "free", .effect = effect_free,
			 .refuses = refuses_free, .apply = apply_free},
	[MML_OP_PAGEOUT] = {.name = "pageout", .atomic = true, .best_effort = true,
			    .effect = effect_none, .apply = apply_pageout},
	[MML_OP_COLLAPSE] = {.name = "collapse", .atomic = true, .best_effort = true,
			     .effect = effect_none, .apply = apply_collapse},
	[MML_OP_REMOVE] = {.name = "remove", .releases_file = true, .effect = effect_remove,
			   .refuses = refuses_remove, .apply = apply_remove},
	[MML_OP_MLOCK] = {.name = "mlock", .atomic = true, .splits = true,
			  .effect = effect_mlock, .refuses = refuses_mlock,
			  .apply = apply_mlock},
	[MML_OP_MIGRATE] = {.name = "migrate", .atomic = true, .best_effort = true,
			    .effect = effect_none, .apply = apply_migrate},
};

const struct mml_op_class *mml_op_class(enum mml_op_kind kind)
{
	return &classes[kind];
}

/* The first page x > after where op e may leave a VMA boundary (between
 * pages x - 1 and x), UINT32_MAX when none: the ends of its range, and
 * inside it where it maps or unmaps part of it apart from the rest: shrink
 * between the folio it keeps and the tail it unmaps, piecewise between any
 * two folios it maps one by one. */
static uint32_t next_boundary(const struct mml_op *e, uint32_t folio,
			      uint32_t after)
{
	if (!mml_op_class(e->kind)->splits || after >= e->hi)
		return UINT32_MAX;
	if (after < e->lo)
		return e->lo;
	if (e->kind == MML_OP_SHRINK && after < e->lo + folio)
		return e->lo + folio;
	if (e->kind == MML_OP_PIECEWISE)
		return e->lo + ((after - e->lo) / folio + 1) * folio;
	return e->hi;
}

/* VMAs may merge again, so this can only say "may", which errs towards
 * more VMAs: towards calling a violation expected, never towards a false
 * finding. */
uint32_t mml_op_next_vma_boundary(const struct mml_program *p, unsigned j,
				  uint32_t after)
{
	uint32_t folio = 1u << p->page_order, first = UINT32_MAX;
	for (unsigned i = 1; i < j; i++) {
		uint32_t x = next_boundary(&p->ops[i - 1], folio, after);
		if (x < first)
			first = x;
	}
	return first;
}

bool mml_op_may_span_vmas(const struct mml_program *p, unsigned j)
{
	const struct mml_op *op = &p->ops[j - 1];
	return mml_op_next_vma_boundary(p, j, op->lo) < op->hi;
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
	return c->atomic && !(c->per_vma && mml_op_may_span_vmas(p, j));
}

int mml_op_kind_parse(const char *name)
{
	for (int k = 0; k < MML_OP_COUNT; k++)
		if (strcmp(classes[k].name, name) == 0)
			return k;
	return -1;
}

static int read_far_node(void)
{
	FILE *f = fopen("/sys/devices/system/node/online", "r");
	if (!f)
		return -1;
	int first = 0, last = 0;
	int got = fscanf(f, "%d-%d", &first, &last);
	fclose(f);
	return got == 2 && last > first ? last : -1;
}

static int far_node;

static void find_far_node(void)
{
	far_node = read_far_node();
}

/* Read once: every run asks, and a fuzz target runs thousands a second. */
int mml_far_node(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, find_far_node);
	return far_node;
}

struct mml_page_state mml_initial_state(const struct mml_program *p)
{
	bool file = p->backing != MML_BACKING_ANON;
	return (struct mml_page_state){.content = 0, .alt = MML_V_BAD,
				       .file = file ? 0 : MML_V_BAD,
				       .readable = true, .shared = file};
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Pages that every op treats alike: the ops' ends and grow's middle cut
 * the region into segments, and the first page of each stands for all. */
static unsigned segment_starts(const struct mml_program *p, uint32_t *out)
{
	uint32_t folio = 1u << p->page_order;
	unsigned n = 0;
	out[n++] = 0;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct mml_op *op = &p->ops[i];
		out[n++] = op->lo;
		if (op->hi < p->pages)
			out[n++] = op->hi;
		if (op->kind == MML_OP_GROW)
			out[n++] = op->lo + mml_grow_from(op, folio);
		if (op->kind == MML_OP_SHRINK && op->lo + folio < op->hi)
			out[n++] = op->lo + folio;
	}
	qsort(out, n, sizeof *out, compare_u32);
	return n;
}

const char *mml_ops_check(const struct mml_program *p, unsigned *op)
{
	uint32_t starts[3 * MML_MAX_OPS + 1];
	unsigned n = segment_starts(p, starts);
	uint32_t folio = 1u << p->page_order;
	const char *first = NULL;
	*op = p->nops;
	for (unsigned k = 0; k < n; k++) {
		uint32_t page = starts[k];
		struct mml_page_state s = mml_initial_state(p);
		for (unsigned j = 1; j <= p->nops && j - 1 < *op; j++) {
			const struct mml_op *o = &p->ops[j - 1];
			if (page < o->lo || page >= o->hi)
				continue;
			const struct mml_op_class *c = mml_op_class(o->kind);
			const char *why = c->refuses ? c->refuses(&s) : NULL;
			if (why) {
				*op = j - 1;
				first = why;
				break;
			}
			c->effect(o, j, page, folio, &s);
		}
	}
	return first;
}

unsigned mml_program_kinds(const struct mml_program *p)
{
	unsigned kinds = 0;
	for (unsigned i = 0; i < p->nops; i++)
		kinds |= 1u << p->ops[i].kind;
	return kinds;
}

void mml_op_kinds_text(unsigned kinds, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (int k = 0; k < MML_OP_COUNT && used < len; k++) {
		if (!(kinds & 1u << k))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "+" : "",
				 mml_op_class((enum mml_op_kind)k)->name);
		used = n < 0 ? len : used + (size_t)n;
	}
}
