#include "mutate.h"

#include <string.h>

#include "draw.h"
#include "encoding.h"
#include "ops.h"
#include "rng.h"

/* Attempts at a change before the caller is left to mutate the bytes. */
enum { TRIES = 16 };

static const char *const names[MML_MUTATION_COUNT] = {
	"insert", "delete", "op", "params", "range", "region", "pages",
	"order", "backing", "knob", "reader-add", "reader-remove", "reader",
};

/* How often each change is drawn.  The op changes are the ones byte
 * mutations cannot make (a record inserted with its count, a kind with
 * the parameters it takes) and where the ops interact, so they come most;
 * a knob or a reader is one field, which byte mutations reach as well. */
static const unsigned weights[MML_MUTATION_COUNT] = {
	[MML_MUTATE_INSERT] = 4, [MML_MUTATE_DELETE] = 2, [MML_MUTATE_OP] = 3,
	[MML_MUTATE_PARAMS] = 2, [MML_MUTATE_RANGE] = 2, [MML_MUTATE_REGION] = 1,
	[MML_MUTATE_PAGES] = 2, [MML_MUTATE_ORDER] = 2, [MML_MUTATE_BACKING] = 2,
	[MML_MUTATE_KNOB] = 2, [MML_MUTATE_READER_ADD] = 1,
	[MML_MUTATE_READER_REMOVE] = 1, [MML_MUTATE_READER] = 1,
};

const char *mml_mutation_name(enum mml_mutation m)
{
	return m < MML_MUTATION_COUNT ? names[m] : "?";
}

static uint32_t upto(uint64_t *rng, uint32_t max)
{
	return (uint32_t)mml_rng_upto(rng, max);
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- Carrying ops and readers into another region ---- */

/* A region's size in the units of its op ranges (whole huge pages with
 * hugetlb, as the input format has them). */
struct extent {
	uint32_t units, unit;
};

static struct extent extent_of(const struct mml_program *p)
{
	uint32_t unit = p->backing == MML_BACKING_HUGETLB ? 1u << p->page_order : 1;
	return (struct extent){p->pages / unit, unit};
}

/* The range at the same place relative to the new region: the whole
 * region stays whole, a first half stays a first half. */
static void rescale(struct mml_op *op, struct extent from,
		    const struct mml_program *to)
{
	struct extent e = extent_of(to);
	uint64_t lo = op->lo / from.unit, hi = (op->hi + from.unit - 1) / from.unit;
	uint64_t new_lo = lo * e.units / from.units;
	uint64_t new_hi = (hi * e.units + from.units - 1) / from.units;
	if (new_hi <= new_lo)
		new_hi = new_lo + 1;
	op->lo = (uint32_t)new_lo * e.unit;
	op->hi = (uint32_t)new_hi * e.unit;
	if (op->kind == MML_OP_TRUNCATE)
		op->hi = to->pages;
}

/* hugetlb ops need a hugetlb generation 0: the input format has no
 * other way to say them. */
static void carry_op(struct mml_op *op, struct extent from,
		     const struct mml_program *to, uint64_t *rng)
{
	rescale(op, from, to);
	bool backing = mml_op_class(op->kind)->params & MML_PARAM_BACKING;
	if (backing && op->backing == MML_BACKING_HUGETLB &&
	    to->backing != MML_BACKING_HUGETLB)
		mml_draw_params(to, rng, op);
}

static bool reader_fits(const struct mml_program *p, const struct mml_reader *r)
{
	if (r->order == MML_ORDER_STRIDE)
		return r->param >= 1 && r->param < p->pages;
	if (r->order == MML_ORDER_SINGLE)
		return r->param < p->pages;
	return true;
}

/* After the region changed: each op carried onto it, and drawn anew when
 * it no longer fits after the ops before it; each reader whose page or
 * stride fell outside drawn anew. */
static bool refit(const struct mml_execution_env *env, struct mml_program *p,
		  struct extent from, uint64_t *rng)
{
	for (unsigned j = 1; j <= p->nops; j++) {
		carry_op(&p->ops[j - 1], from, p, rng);
		if (!mml_op_fits(p, j) && !mml_draw_op(p, env->ops, j, rng))
			return false;
	}
	for (unsigned i = 0; i < p->nreaders; i++)
		if (!reader_fits(p, &p->readers[i]))
			mml_draw_reader(p, rng, &p->readers[i]);
	return true;
}

/* ---- The changes ---- */

static bool insert_op(const struct mml_execution_env *env,
		      struct mml_program *p, uint64_t *rng)
{
	if (p->nops >= env->caps.ops)
		return false;
	unsigned at = upto(rng, p->nops);
	memmove(&p->ops[at + 1], &p->ops[at], (p->nops - at) * sizeof *p->ops);
	p->nops++;
	return mml_draw_op(p, env->ops, at + 1, rng);
}

static bool delete_op(struct mml_program *p, uint64_t *rng)
{
	if (p->nops < 2)
		return false;
	unsigned at = upto(rng, p->nops - 1);
	memmove(&p->ops[at], &p->ops[at + 1], (p->nops - at - 1) * sizeof *p->ops);
	p->nops--;
	return true;
}

static bool redraw_op(const struct mml_execution_env *env,
		      struct mml_program *p, uint64_t *rng)
{
	return mml_draw_op(p, env->ops, 1 + upto(rng, p->nops - 1), rng);
}

static bool redraw_params(struct mml_program *p, uint64_t *rng)
{
	struct mml_op *op = &p->ops[upto(rng, p->nops - 1)];
	if (!mml_op_class(op->kind)->params)
		return false;
	mml_draw_params(p, rng, op);
	return true;
}

static bool redraw_range(struct mml_program *p, uint64_t *rng)
{
	mml_draw_range(p, rng, &p->ops[upto(rng, p->nops - 1)]);
	return true;
}

static bool redraw_region(const struct mml_execution_env *env,
			  struct mml_program *p, uint64_t *rng)
{
	struct extent from = extent_of(p);
	mml_draw_region(&env->caps, rng, p);
	return refit(env, p, from, rng);
}

static bool redraw_pages(const struct mml_execution_env *env,
			 struct mml_program *p, uint64_t *rng)
{
	struct extent from = extent_of(p);
	return mml_draw_pages(&env->caps, rng, p) && refit(env, p, from, rng);
}

/* Another order (the PMD order half the time, draw.h), and the pages
 * drawn in its folios: a huge order takes a region of whole huge pages,
 * two fields that no byte mutation changes together.  hugetlb pages are
 * order 9 only. */
static bool change_order(const struct mml_execution_env *env,
			 struct mml_program *p, uint64_t *rng)
{
	if (p->backing == MML_BACKING_HUGETLB)
		return false;
	struct extent from = extent_of(p);
	p->page_order = mml_draw_order(rng, p->page_order);
	return mml_draw_pages(&env->caps, rng, p) && refit(env, p, from, rng);
}

/* Another of memfd, tmpfs and anon; hugetlb, with its order and page
 * counts of its own, comes with a region drawn anew. */
static bool change_backing(const struct mml_execution_env *env,
			   struct mml_program *p, uint64_t *rng)
{
	struct extent from = extent_of(p);
	bool huge = p->backing == MML_BACKING_HUGETLB;
	unsigned b = upto(rng, MML_BACKING_ANON - (huge ? 0 : 1));
	p->backing = (enum mml_backing)(!huge && b >= p->backing ? b + 1 : b);
	return refit(env, p, from, rng);
}

enum knob {
	KNOB_DELAY, KNOB_YIELD, KNOB_CPU, KNOB_REPEAT, KNOB_POPULATE,
	KNOB_SHARE, KNOB_WRITE, KNOB_READ_ONLY, KNOB_PERTURB, KNOB_COUNT,
};

static void copy_knob(struct mml_program *p, const struct mml_program *from,
		      enum knob k)
{
	switch (k) {
	case KNOB_DELAY:
		p->delay = from->delay;
		p->delay_amount = from->delay_amount;
		break;
	case KNOB_YIELD: p->reader_yield = from->reader_yield; break;
	case KNOB_CPU: p->mapper_cpu = from->mapper_cpu; break;
	case KNOB_REPEAT: p->repeat = from->repeat; break;
	case KNOB_POPULATE: p->populate = from->populate; break;
	case KNOB_SHARE: p->share = from->share; break;
	/* Writers need a writable mapping: the knob copied wins. */
	case KNOB_WRITE:
		p->write = from->write;
		p->read_only &= !p->write;
		break;
	case KNOB_READ_ONLY:
		p->read_only = from->read_only;
		p->write &= !p->read_only;
		break;
	case KNOB_PERTURB: p->perturb = from->perturb; break;
	case KNOB_COUNT: break;
	}
}

static bool redraw_knob(const struct mml_execution_env *env,
			struct mml_program *p, uint64_t *rng)
{
	struct mml_program drawn = {0};
	mml_draw_knobs(&env->caps, rng, &drawn);
	copy_knob(p, &drawn, (enum knob)upto(rng, KNOB_COUNT - 1));
	return true;
}

static bool add_reader(const struct mml_execution_env *env,
		       struct mml_program *p, uint64_t *rng)
{
	if (p->nreaders >= env->caps.readers)
		return false;
	mml_draw_reader(p, rng, &p->readers[p->nreaders++]);
	return true;
}

static bool remove_reader(struct mml_program *p, uint64_t *rng)
{
	if (p->nreaders < 2)
		return false;
	unsigned at = upto(rng, p->nreaders - 1);
	memmove(&p->readers[at], &p->readers[at + 1],
		(p->nreaders - at - 1) * sizeof *p->readers);
	p->nreaders--;
	return true;
}

static bool redraw_reader(struct mml_program *p, uint64_t *rng)
{
	mml_draw_reader(p, rng, &p->readers[upto(rng, p->nreaders - 1)]);
	return true;
}

bool mml_mutate_program(const struct mml_execution_env *env,
			struct mml_program *p, enum mml_mutation m,
			uint64_t *rng)
{
	switch (m) {
	case MML_MUTATE_INSERT: return insert_op(env, p, rng);
	case MML_MUTATE_DELETE: return delete_op(p, rng);
	case MML_MUTATE_OP: return redraw_op(env, p, rng);
	case MML_MUTATE_PARAMS: return redraw_params(p, rng);
	case MML_MUTATE_RANGE: return redraw_range(p, rng);
	case MML_MUTATE_REGION: return redraw_region(env, p, rng);
	case MML_MUTATE_PAGES: return redraw_pages(env, p, rng);
	case MML_MUTATE_ORDER: return change_order(env, p, rng);
	case MML_MUTATE_BACKING: return change_backing(env, p, rng);
	case MML_MUTATE_KNOB: return redraw_knob(env, p, rng);
	case MML_MUTATE_READER_ADD: return add_reader(env, p, rng);
	case MML_MUTATE_READER_REMOVE: return remove_reader(p, rng);
	case MML_MUTATE_READER: return redraw_reader(p, rng);
	case MML_MUTATION_COUNT: break;
	}
	return false;
}

/* ---- Inputs ---- */

/* An input over a cap, or with an op outside the set, never runs, and
 * neither would any mutation of it that kept that field: the fields at
 * fault are dropped or drawn anew first. */
static bool fit_bounds(const struct mml_execution_env *env,
		       struct mml_program *p, uint64_t *rng)
{
	const struct mml_caps *c = &env->caps;
	p->nops = min_u32(p->nops, env->caps.ops);
	p->nreaders = min_u32(p->nreaders, env->caps.readers);
	if (p->repeat > c->repeat || p->delay_amount > c->delay) {
		struct mml_program drawn = {0};
		mml_draw_knobs(c, rng, &drawn);
		if (p->repeat > c->repeat)
			copy_knob(p, &drawn, KNOB_REPEAT);
		if (p->delay_amount > c->delay)
			copy_knob(p, &drawn, KNOB_DELAY);
	}
	if (p->pages > c->pages && !redraw_region(env, p, rng))
		return false;
	for (unsigned j = 1; j <= p->nops; j++)
		if (!(env->ops & 1u << p->ops[j - 1].kind) &&
		    !mml_draw_op(p, env->ops, j, rng))
			return false;
	return true;
}

static enum mml_mutation pick(uint64_t *rng)
{
	unsigned total = 0;
	for (int m = 0; m < MML_MUTATION_COUNT; m++)
		total += weights[m];
	unsigned r = upto(rng, total - 1);
	int m = 0;
	while (r >= weights[m])
		r -= weights[m++];
	return (enum mml_mutation)m;
}

/* The bytes of a program that passes the checks and that this process
 * may run, or 0.  A program the machine cannot run (huge pages it does
 * not offer, CPUs this process may not use) would be skipped, and the
 * change spent for nothing: in a minute of libFuzzer, 24 of the 25
 * programs a change made with anonymous memory over 2 MiB folios also
 * mapped a memfd, in 2 MiB folios too, which this machine has no THP for. */
static size_t encode_runnable(const struct mml_execution_env *env,
			      const struct mml_program *p,
			      uint8_t bytes[MML_ENCODING_MAX])
{
	const char *why;
	if (mml_execution_admit(env, p))
		return 0;
	int len = mml_encode(p, bytes, MML_ENCODING_MAX, &why);
	return len > 0 ? (size_t)len : 0;
}

/* Up to `changes` changes in a row, at least one made: the program in
 * between need not run here (an order this machine has no THP for,
 * before the backing that has it). */
static bool mutate_some(const struct mml_execution_env *env,
			struct mml_program *p, unsigned changes, uint64_t *rng,
			enum mml_mutation *last)
{
	bool changed = false;
	for (unsigned c = 0; c < changes; c++) {
		enum mml_mutation m = pick(rng);
		if (mml_mutate_program(env, p, m, rng)) {
			changed = true;
			*last = m;
		}
	}
	return changed;
}

size_t mml_mutate_stacked(const struct mml_execution_env *env, uint8_t *data,
			  size_t size, size_t max_size, uint64_t seed,
			  unsigned changes, enum mml_mutation *done)
{
	struct mml_program input;
	mml_decode(data, size, &input, NULL);
	uint64_t rng = seed;
	for (int t = 0; t < TRIES; t++) {
		struct mml_program p = input;
		enum mml_mutation m;
		if (!fit_bounds(env, &p, &rng) || !mutate_some(env, &p, changes, &rng, &m))
			continue;
		uint8_t bytes[MML_ENCODING_MAX];
		size_t len = encode_runnable(env, &p, bytes);
		if (!len || len > max_size || (len == size && !memcmp(bytes, data, len)))
			continue;
		memcpy(data, bytes, len);
		if (done)
			*done = m;
		return len;
	}
	return 0;
}

size_t mml_mutate(const struct mml_execution_env *env, uint8_t *data,
		  size_t size, size_t max_size, uint64_t seed,
		  enum mml_mutation *done)
{
	return mml_mutate_stacked(env, data, size, max_size, seed, 1, done);
}

/* a's ops before `at`, a run of b's, then a's from at + skip on, where
 * skip is 0 (the run goes between) or the run's length (it replaces as
 * many), all within the op cap; false when none of a's ops is left. */
static bool splice(const struct mml_execution_env *env, struct mml_program *p,
		   const struct mml_program *b, uint64_t *rng)
{
	unsigned cap = env->caps.ops, n = p->nops;
	if (cap < 2)
		return false;
	unsigned at = upto(rng, min_u32(n, cap - 1));
	unsigned from = upto(rng, b->nops - 1);
	unsigned len = 1 + upto(rng, min_u32(b->nops - from, cap - at) - 1);
	unsigned skip = upto(rng, 1) ? min_u32(len, n - at) : 0;
	unsigned tail = min_u32(n - at - skip, cap - at - len);
	if (at + tail == 0)
		return false;
	memmove(&p->ops[at + len], &p->ops[at + skip], tail * sizeof *p->ops);
	memcpy(&p->ops[at], &b->ops[from], len * sizeof *p->ops);
	p->nops = at + len + tail;
	for (unsigned j = at; j < at + len; j++)
		carry_op(&p->ops[j], extent_of(b), p, rng);
	return true;
}

size_t mml_crossover(const struct mml_execution_env *env, const uint8_t *a,
		     size_t na, const uint8_t *b, size_t nb, uint8_t *out,
		     size_t max, uint64_t seed)
{
	struct mml_program first, second;
	mml_decode(a, na, &first, NULL);
	mml_decode(b, nb, &second, NULL);
	uint64_t rng = seed;
	for (int t = 0; t < TRIES; t++) {
		struct mml_program p = first, q = second;
		if (!fit_bounds(env, &p, &rng) || !fit_bounds(env, &q, &rng) ||
		    !splice(env, &p, &q, &rng))
			continue;
		uint8_t bytes[MML_ENCODING_MAX];
		size_t len = encode_runnable(env, &p, bytes);
		if (!len || len > max)
			continue;
		memcpy(out, bytes, len);
		return len;
	}
	return 0;
}
