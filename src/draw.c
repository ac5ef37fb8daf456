#include "draw.h"

#include <string.h>

#include "ops.h"
#include "rng.h"

static uint32_t draw(uint64_t *rng, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)mml_rng_upto(rng, hi - lo);
}

static bool chance(uint64_t *rng, unsigned one_in)
{
	return mml_rng_upto(rng, one_in - 1) == 0;
}

static unsigned log2_floor(uint32_t n)
{
	unsigned bits = 0;
	while (n >> bits > 1)
		bits++;
	return bits;
}

/* A number in [2^e, 2^(e+1)) within [1, max]. */
static uint32_t draw_octave(uint64_t *rng, unsigned e, uint32_t max)
{
	uint32_t lo = UINT32_C(1) << e;
	return draw(rng, lo, e == log2_floor(max) ? max : 2 * lo - 1);
}

/* In [1, max], each power of two as likely as the next. */
static uint32_t draw_log(uint64_t *rng, uint32_t max)
{
	return draw_octave(rng, draw(rng, 0, log2_floor(max)), max);
}

/* In [1, max], the lower powers of two likelier (the smaller of two
 * draws): for what makes an execution slow (pages, iterations, readers
 * sharing a CPU, spin delays), so that a worker runs many programs a
 * second and the large ones still come. */
static uint32_t draw_small(uint64_t *rng, uint32_t max)
{
	unsigned a = draw(rng, 0, log2_floor(max)), b = draw(rng, 0, log2_floor(max));
	return draw_octave(rng, a < b ? a : b, max);
}

bool mml_draw_pages(const struct mml_caps *caps, uint64_t *rng,
		    struct mml_program *p)
{
	uint32_t folios = caps->pages >> p->page_order;
	if (folios < 2 && p->page_order > 0)
		return false;
	/* Two folios at least: one page cannot be seen half changed. */
	uint32_t n = draw_small(rng, folios);
	p->pages = (folios >= 2 && n < 2 ? 2 : n) << p->page_order;
	return true;
}

/* Half the time the PMD order, which every kernel with THP offers for
 * anonymous memory; else any other, the mTHP orders that only a kernel
 * configured for them offers (a program it cannot run is skipped). */
unsigned mml_draw_order(uint64_t *rng, unsigned current)
{
	if (current != MML_MAX_PAGE_ORDER && chance(rng, 2))
		return MML_MAX_PAGE_ORDER;
	unsigned order = draw(rng, 0, MML_MAX_PAGE_ORDER - 1);
	return order >= current ? order + 1 : order;
}

/* Huge pages are drawn now and then: a machine that does not offer them
 * skips the program, and the skipped count says so. */
void mml_draw_region(const struct mml_caps *caps, uint64_t *rng,
		     struct mml_program *p)
{
	p->backing = chance(rng, 16) ? MML_BACKING_HUGETLB
				     : (enum mml_backing)draw(rng, 0, MML_BACKING_ANON);
	p->page_order = p->backing == MML_BACKING_HUGETLB ? MML_MAX_PAGE_ORDER
			: chance(rng, 8) ? mml_draw_order(rng, 0) : 0;
	if (mml_draw_pages(caps, rng, p))
		return;
	p->page_order = 0;
	if (p->backing == MML_BACKING_HUGETLB)
		p->backing = MML_BACKING_MEMFD;
	mml_draw_pages(caps, rng, p);
}

void mml_draw_knobs(const struct mml_caps *caps, uint64_t *rng,
		    struct mml_program *p)
{
	p->populate = !chance(rng, 4);
	p->share = chance(rng, 4);
	p->write = chance(rng, 8);
	p->read_only = !p->write && chance(rng, 4);
	p->perturb = chance(rng, 8) ? (enum mml_perturb)draw(rng, 1, MML_PERTURB_COUNT - 1)
				    : MML_PERTURB_NONE;
	p->delay = (enum mml_delay)draw(rng, 0, MML_DELAY_COUNT - 1);
	bool amount = p->delay == MML_DELAY_SPIN || p->delay == MML_DELAY_SLEEP;
	p->delay_amount = amount ? draw_small(rng, caps->delay) : 0;
	p->reader_yield = chance(rng, 4) ? draw_log(rng, 1000) : 0;
	/* Placed at run time, inside the worker's CPUs; named CPUs would be
	 * refused wherever the worker may not use them. */
	p->mapper_cpu = chance(rng, 8) ? MML_NO_CPU : MML_AUTO_CPU;
	p->repeat = draw_small(rng, caps->repeat);
}

void mml_draw_reader(const struct mml_program *p, uint64_t *rng,
		     struct mml_reader *r)
{
	r->order = (enum mml_read_order)draw(rng, 0, MML_ORDER_COUNT - 1);
	if (r->order == MML_ORDER_STRIDE && p->pages < 2)
		r->order = MML_ORDER_ASC;
	r->param = r->order == MML_ORDER_STRIDE ? draw(rng, 1, p->pages - 1)
		   : r->order == MML_ORDER_SINGLE ? draw(rng, 0, p->pages - 1) : 0;
	r->cpu = p->mapper_cpu == MML_NO_CPU ? MML_NO_CPU : MML_AUTO_CPU;
}

static enum mml_op_kind draw_kind(unsigned set, uint64_t *rng)
{
	unsigned k = draw(rng, 0, (unsigned)__builtin_popcount(set) - 1);
	for (int kind = 0; kind < MML_OP_COUNT; kind++)
		if (set & 1u << kind && k-- == 0)
			return (enum mml_op_kind)kind;
	return MML_OP_MAPFIXED; /* not reached: set is not empty */
}

void mml_draw_range(const struct mml_program *p, uint64_t *rng,
		    struct mml_op *op)
{
	uint32_t unit = p->backing == MML_BACKING_HUGETLB ? 1u << p->page_order : 1;
	uint32_t units = p->pages / unit;
	uint32_t lo = 0, len = units;
	if (!chance(rng, 3)) {
		lo = draw(rng, 0, units - 1);
		len = draw(rng, 1, units - lo);
	}
	op->lo = lo * unit;
	op->hi = (lo + len) * unit;
	if (op->kind == MML_OP_TRUNCATE)
		op->hi = p->pages;
}

void mml_draw_params(const struct mml_program *p, uint64_t *rng,
		     struct mml_op *op)
{
	unsigned params = mml_op_class(op->kind)->params;
	bool huge = p->backing == MML_BACKING_HUGETLB && chance(rng, 2);
	if (params & MML_PARAM_BACKING)
		op->backing = huge ? MML_BACKING_HUGETLB
				   : (enum mml_backing)draw(rng, 0, MML_BACKING_ANON);
	if (params & MML_PARAM_PROT)
		op->prot = (enum mml_prot)draw(rng, 0, 1);
	if (params & MML_PARAM_DIRECTION)
		op->descending = chance(rng, 2);
	if (params & MML_PARAM_ALIGN)
		op->align = (enum mml_align)draw(rng, 0, MML_ALIGN_COUNT - 1);
	if (params & MML_PARAM_DONTUNMAP)
		op->dontunmap = chance(rng, 4);
	if (params & MML_PARAM_MAPFLAGS) {
		op->populate = chance(rng, 4);
		op->locked = chance(rng, 8);
	}
}

bool mml_op_fits(struct mml_program *p, unsigned j)
{
	unsigned nops = p->nops, refused;
	p->nops = j;
	bool fits = !mml_program_check_op(p, j) &&
		    !(mml_ops_check(p, &refused) && refused == j - 1);
	p->nops = nops;
	return fits;
}

/* An op the program around it rules out (a truncate of anonymous memory)
 * is drawn again, a few times. */
bool mml_draw_op(struct mml_program *p, unsigned set, unsigned j,
		 uint64_t *rng)
{
	enum { TRIES = 16 };
	struct mml_op *op = &p->ops[j - 1];
	for (int tries = 0; tries < TRIES; tries++) {
		*op = (struct mml_op){.kind = draw_kind(set, rng)};
		mml_draw_range(p, rng, op);
		mml_draw_params(p, rng, op);
		if (mml_op_fits(p, j))
			return true;
	}
	return false;
}

/* The program ends before an op that none of the draws fitted. */
static void draw_ops(unsigned set, unsigned want, uint64_t *rng,
		     struct mml_program *p)
{
	for (p->nops = 0; p->nops < want; p->nops++)
		if (!mml_draw_op(p, set, p->nops + 1, rng))
			break;
}

void mml_draw_program(const struct mml_execution_env *env, uint64_t *rng,
		      struct mml_program *p)
{
	const struct mml_caps *caps = &env->caps;
	memset(p, 0, sizeof *p);
	mml_draw_region(caps, rng, p);
	mml_draw_knobs(caps, rng, p);
	/* One reader mostly: readers beyond the CPUs the mapper leaves share
	 * one, and an iteration then waits on the scheduler (two readers on
	 * the second of two CPUs took 130 ms an execution where one took 1). */
	p->nreaders = chance(rng, 4) ? draw_small(rng, caps->readers) : 1;
	for (unsigned i = 0; i < p->nreaders; i++)
		mml_draw_reader(p, rng, &p->readers[i]);
	draw_ops(env->ops, draw_small(rng, caps->ops), rng, p);
}
