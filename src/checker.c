#include "checker.h"

#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "oracle.h"
#include "tag.h"

/* The search walks one global timeline.  The mapper's state word splits it
 * into segments: s = 0 before op 1, 2j - 1 while op j runs, 2j after it
 * returned.  A read may take effect in any segment between its two loads.
 * Inside segment 2j - 1 op j applies its units one by one, and the search
 * applies a unit only just before the first read that shows it done:
 * moving a unit's instant later up to that read breaks no read that saw it
 * not done yet, so nothing consistent is lost.  A search state is then the
 * segment, the set D of op j's units applied so far, and how many reads of
 * each reader have taken effect.  Every step lets one read take effect, so
 * the states after n steps form a layer, and duplicates need only be found
 * within a layer. */

struct checker {
	const struct mml_check_trace *t;
	unsigned segments;      /* 2K + 1 */
	uint32_t *pages;        /* the distinct pages read, ascending */
	unsigned npages;
	int32_t *unit;          /* [j * npages + c]: op j's unit holding page c, -1 if j leaves it */
	unsigned nreaders;
	unsigned *count;        /* reads per reader */
	unsigned **order;       /* per reader: trace indices in program order */
	unsigned *position;     /* per trace index: its place in its reader's order */
	unsigned *compact;      /* per trace index: its reader, 0 .. nreaders - 1 */
	unsigned *page_of;      /* per trace index: its compact page */
	unsigned words;         /* uint32 words of a state */
	unsigned dwords;        /* of which the set D */
};

/* A layer: states stored back to back, and an open-addressed index. */
struct layer {
	uint32_t *states;
	size_t n, cap;
	uint32_t *slots; /* state number + 1, 0 empty */
	size_t nslots;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static unsigned page_index(const struct checker *c, uint32_t page)
{
	const uint32_t *at = bsearch(&page, c->pages, c->npages, sizeof page, cmp_u32);
	return (unsigned)(at - c->pages);
}

static bool touches(const struct mml_history *h, uint32_t page, unsigned j)
{
	const uint8_t *value = mml_history_row(h->value, h, page);
	const uint8_t *alt = mml_history_row(h->alt, h, page);
	return value[j] != value[j - 1] || alt[j] != alt[j - 1];
}

/* Which piece of op j's range page lies in: how many VMA boundaries an
 * earlier op may have left in (lo, page]. */
static uint32_t vma_piece(const struct mml_program *p, unsigned j, uint32_t page)
{
	uint32_t n = 0;
	for (uint32_t x = mml_op_next_vma_boundary(p, j, p->ops[j - 1].lo);
	     x <= page; x = mml_op_next_vma_boundary(p, j, x))
		n++;
	return n;
}

enum granularity { WHOLE, PER_VMA, PER_PAGE };

static enum granularity op_granularity(const struct mml_program *p, unsigned j,
				       enum mml_check_model model)
{
	const struct mml_op_class *cls = mml_op_class(p->ops[j - 1].kind);
	if (model == MML_MODEL_ATOMIC)
		return WHOLE;
	if (model == MML_MODEL_COARSE)
		return mml_op_atomic(p, j) ? WHOLE : PER_PAGE;
	if (model == MML_MODEL_PAGE || !cls->atomic || cls->control)
		return PER_PAGE;
	return cls->per_vma ? PER_VMA : WHOLE;
}

int64_t mml_check_unit(const struct mml_program *p, const struct mml_history *h,
		       unsigned j, uint32_t page, enum mml_check_model model)
{
	if (!touches(h, page, j))
		return -1;
	switch (op_granularity(p, j, model)) {
	case WHOLE:
		return 0;
	case PER_VMA:
		return vma_piece(p, j, page);
	case PER_PAGE:
		break;
	}
	return page;
}

/* Numbers op j's units 0, 1, ... over the pages read, in page order;
 * returns how many. */
static unsigned number_units(struct checker *c, unsigned j,
			     enum mml_check_model model)
{
	const struct mml_check_trace *t = c->t;
	int32_t *unit = c->unit + (size_t)j * c->npages;
	unsigned n = 0;
	int64_t last = -1;
	for (unsigned i = 0; i < c->npages; i++) {
		int64_t u = mml_check_unit(t->p, t->h, j, c->pages[i], model);
		unit[i] = -1;
		if (u < 0)
			continue;
		if (u != last)
			n++;
		last = u;
		unit[i] = (int32_t)n - 1;
	}
	return n;
}

static bool collect_pages(struct checker *c)
{
	const struct mml_check_trace *t = c->t;
	c->pages = malloc(sizeof *c->pages * (t->nreads ? t->nreads : 1));
	if (!c->pages)
		return false;
	for (unsigned i = 0; i < t->nreads; i++)
		c->pages[i] = t->reads[i].page;
	qsort(c->pages, t->nreads, sizeof *c->pages, cmp_u32);
	c->npages = 0;
	for (unsigned i = 0; i < t->nreads; i++)
		if (c->npages == 0 || c->pages[c->npages - 1] != c->pages[i])
			c->pages[c->npages++] = c->pages[i];
	return true;
}

static bool collect_readers(struct checker *c)
{
	const struct mml_check_trace *t = c->t;
	int ids[256];
	memset(ids, -1, sizeof ids);
	c->nreaders = 0;
	size_t n = t->nreads ? t->nreads : 1;
	c->position = malloc(sizeof *c->position * n);
	c->compact = malloc(sizeof *c->compact * n);
	c->page_of = malloc(sizeof *c->page_of * n);
	c->count = calloc(256, sizeof *c->count);
	c->order = calloc(256, sizeof *c->order);
	if (!c->position || !c->compact || !c->page_of || !c->count || !c->order)
		return false;
	for (unsigned i = 0; i < t->nreads; i++) {
		unsigned r = t->reads[i].reader;
		if (ids[r] < 0)
			ids[r] = (int)c->nreaders++;
		c->compact[i] = (unsigned)ids[r];
		c->position[i] = c->count[ids[r]]++;
		c->page_of[i] = page_index(c, t->reads[i].page);
	}
	for (unsigned r = 0; r < c->nreaders; r++)
		if (!(c->order[r] = malloc(sizeof **c->order * c->count[r])))
			return false;
	for (unsigned i = 0; i < t->nreads; i++)
		c->order[c->compact[i]][c->position[i]] = i;
	return true;
}

static void checker_free(struct checker *c)
{
	if (c->order)
		for (unsigned r = 0; r < c->nreaders; r++)
			free(c->order[r]);
	free(c->order);
	free(c->count);
	free(c->position);
	free(c->compact);
	free(c->page_of);
	free(c->pages);
	free(c->unit);
}

static bool checker_init(struct checker *c, const struct mml_check_trace *t,
			 enum mml_check_model model)
{
	memset(c, 0, sizeof *c);
	c->t = t;
	c->segments = 2 * t->p->nops + 1;
	if (!collect_pages(c) || !collect_readers(c))
		return false;
	c->unit = malloc(sizeof *c->unit * (size_t)(t->p->nops + 1) * c->npages);
	if (!c->unit)
		return false;
	unsigned most = 1;
	for (unsigned j = 1; j <= t->p->nops; j++) {
		unsigned n = number_units(c, j, model);
		if (n > most)
			most = n;
	}
	c->dwords = (most + 31) / 32;
	c->words = 1 + c->nreaders + c->dwords;
	return true;
}

/* ---- layers ---- */

static uint64_t hash_state(const uint32_t *s, unsigned words)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned i = 0; i < words; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void layer_clear(struct layer *l)
{
	l->n = 0;
	if (l->slots)
		memset(l->slots, 0, sizeof *l->slots * l->nslots);
}

static bool layer_grow(struct layer *l, unsigned words)
{
	size_t cap = l->cap ? 2 * l->cap : 64;
	uint32_t *states = realloc(l->states, sizeof *states * words * cap);
	uint32_t *slots = calloc(2 * cap, sizeof *slots);
	if (!states || !slots) {
		free(slots);
		if (states)
			l->states = states;
		return false;
	}
	free(l->slots);
	l->states = states;
	l->slots = slots;
	l->cap = cap;
	l->nslots = 2 * cap;
	for (size_t i = 0; i < l->n; i++) {
		size_t k = hash_state(states + i * words, words) % l->nslots;
		while (slots[k])
			k = (k + 1) % l->nslots;
		slots[k] = (uint32_t)i + 1;
	}
	return true;
}

/* Adds s unless the layer has it: 1 added, 0 there already, -1 no memory. */
static int layer_add(struct layer *l, const uint32_t *s, unsigned words)
{
	if (l->n + 1 > l->cap && !layer_grow(l, words))
		return -1;
	size_t k = hash_state(s, words) % l->nslots;
	for (; l->slots[k]; k = (k + 1) % l->nslots)
		if (memcmp(l->states + (size_t)(l->slots[k] - 1) * words, s,
			   sizeof *s * words) == 0)
			return 0;
	memcpy(l->states + l->n * words, s, sizeof *s * words);
	l->slots[k] = (uint32_t)++l->n;
	return 1;
}

/* ---- steps ---- */

struct search {
	struct checker *c;
	struct layer next;
	uint32_t *scratch;
	uint64_t budget, visited;
	bool out_of_memory;
};

/* What a page holds at column j of the history: its value, or its
 * alternative; garbage is never held (MML_V_BAD also marks "no
 * alternative"). */
static bool holds(const struct mml_history *h, uint32_t page, unsigned j,
		  uint8_t value)
{
	return value != MML_V_BAD && mml_history_candidate(h, page, j, value);
}

static bool in_d(const uint32_t *d, int32_t u)
{
	return d[u / 32] >> (u % 32) & 1;
}

static void emit(struct search *x, uint32_t *s)
{
	if (x->visited >= x->budget || x->out_of_memory)
		return;
	int added = layer_add(&x->next, s, x->c->words);
	x->out_of_memory |= added < 0;
	x->visited += added > 0;
}

/* Read i takes effect in segment seg, from state s whose reader r has one
 * more read done; D is reset when the segment is new. */
static void place(struct search *x, const uint32_t *s, unsigned i, unsigned seg)
{
	const struct checker *c = x->c;
	const struct mml_check_read *rd = &c->t->reads[i];
	const struct mml_history *h = c->t->h;
	uint32_t *n = x->scratch;
	memcpy(n, s, sizeof *n * c->words);
	n[1 + c->compact[i]]++;
	uint32_t *d = n + 1 + c->nreaders;
	if (seg != s[0])
		memset(d, 0, sizeof *d * c->dwords);
	n[0] = seg;
	unsigned j = (seg + 1) / 2;
	int32_t u = seg % 2 ? c->unit[(size_t)j * c->npages + c->page_of[i]] : -1;
	if (u < 0) {
		if (holds(h, rd->page, seg / 2 + seg % 2, rd->value))
			emit(x, n);
		return;
	}
	bool done = in_d(d, u);
	if (!done && holds(h, rd->page, j - 1, rd->value))
		emit(x, n);
	if (holds(h, rd->page, j, rd->value)) {
		d[u / 32] |= 1u << (u % 32);
		emit(x, n);
	}
}

static void expand(struct search *x, const uint32_t *s)
{
	const struct checker *c = x->c;
	for (unsigned r = 0; r < c->nreaders; r++) {
		if (s[1 + r] == c->count[r])
			continue;
		unsigned i = c->order[r][s[1 + r]];
		const struct mml_check_read *rd = &c->t->reads[i];
		if (rd->after_read >= 0) {
			unsigned w = (unsigned)rd->after_read;
			if (s[1 + c->compact[w]] <= c->position[w])
				continue;
		}
		unsigned from = rd->before > s[0] ? rd->before : s[0];
		for (unsigned seg = from; seg <= rd->after && seg < c->segments; seg++)
			place(x, s, i, seg);
	}
}

enum mml_check_answer mml_check(const struct mml_check_trace *t,
				enum mml_check_model model, uint64_t budget,
				uint64_t *states)
{
	struct checker c;
	struct search x = {.c = &c, .budget = budget};
	struct layer cur = {0};
	enum mml_check_answer answer = MML_CHECK_UNDECIDED;
	if (!checker_init(&c, t, model))
		goto out;
	x.scratch = calloc(c.words, sizeof *x.scratch);
	if (!x.scratch || layer_add(&cur, x.scratch, c.words) < 0)
		goto out;
	for (unsigned step = 0; step < t->nreads; step++) {
		layer_clear(&x.next);
		for (size_t k = 0; k < cur.n; k++)
			expand(&x, cur.states + k * c.words);
		if (x.out_of_memory || x.visited >= budget)
			goto out;
		struct layer swap = cur;
		cur = x.next;
		x.next = swap;
		if (cur.n == 0) {
			answer = MML_CHECK_INCONSISTENT;
			goto out;
		}
	}
	answer = MML_CHECK_CONSISTENT;
out:
	if (states)
		*states = x.visited;
	free(cur.states);
	free(cur.slots);
	free(x.next.states);
	free(x.next.slots);
	free(x.scratch);
	checker_free(&c);
	return answer;
}

/* ---- the core of an inconsistent trace ---- */

struct subset {
	const struct mml_check_trace *t;
	struct mml_check_read *reads;
	unsigned *at; /* per read of the trace: its index in the subset */
};

static enum mml_check_answer check_subset(struct subset *s, const bool *keep,
					  enum mml_check_model model,
					  uint64_t budget)
{
	const struct mml_check_trace *t = s->t;
	unsigned n = 0;
	for (unsigned i = 0; i < t->nreads; i++) {
		if (!keep[i])
			continue;
		s->at[i] = n;
		s->reads[n] = t->reads[i];
		int32_t w = t->reads[i].after_read;
		/* Dropping the read it learned from only drops a constraint. */
		s->reads[n].after_read = w >= 0 && keep[w] ? (int32_t)s->at[w] : -1;
		n++;
	}
	struct mml_check_trace sub = {t->p, t->h, s->reads, n};
	return mml_check(&sub, model, budget, NULL);
}

/* Drops the reads in [from, to) that are still kept, if the rest stays
 * inconsistent. */
static bool try_drop(struct subset *s, bool *keep, unsigned from, unsigned to,
		     enum mml_check_model model, uint64_t budget)
{
	bool any = false;
	bool *saved = malloc(to - from);
	if (!saved)
		return false;
	for (unsigned i = from; i < to; i++) {
		saved[i - from] = keep[i];
		any |= keep[i];
		keep[i] = false;
	}
	bool dropped = any && check_subset(s, keep, model, budget) ==
				      MML_CHECK_INCONSISTENT;
	if (!dropped)
		memcpy(keep + from, saved, to - from);
	free(saved);
	return dropped;
}

/* The longest run of reads at one end that can go: reads are dropped from
 * that end in halving steps, as long as the rest stays inconsistent. */
static void trim_end(struct subset *s, bool *keep, bool front,
		     enum mml_check_model model, uint64_t budget)
{
	unsigned n = s->t->nreads, done = 0;
	for (unsigned step = n / 2; step > 0; step /= 2)
		while (done + step < n &&
		       try_drop(s, keep, front ? done : n - done - step,
				front ? done + step : n - done, model, budget))
			done += step;
}

/* Trims both ends first, so that the reads far from the violation cost
 * one check per halving; then drops chunks of halving size, ending with
 * single reads: no single read of the core can go. */
unsigned mml_check_core(const struct mml_check_trace *t,
			enum mml_check_model model, uint64_t budget, bool *keep)
{
	struct subset s = {t, malloc(sizeof *s.reads * (t->nreads + 1)),
			   malloc(sizeof *s.at * (t->nreads + 1))};
	unsigned kept = 0;
	for (unsigned i = 0; i < t->nreads; i++)
		keep[i] = true;
	if (!s.reads || !s.at ||
	    check_subset(&s, keep, model, budget) != MML_CHECK_INCONSISTENT)
		goto out;
	trim_end(&s, keep, true, model, budget);
	trim_end(&s, keep, false, model, budget);
	unsigned first = 0, last = t->nreads;
	while (first < last && !keep[first])
		first++;
	while (last > first && !keep[last - 1])
		last--;
	for (unsigned chunk = (last - first) / 2 ? (last - first) / 2 : 1;; chunk /= 2) {
		for (unsigned from = first; from < last; from += chunk) {
			unsigned to = from + chunk < last ? from + chunk : last;
			try_drop(&s, keep, from, to, model, budget);
		}
		if (chunk == 1)
			break;
	}
	for (unsigned i = 0; i < t->nreads; i++)
		kept += keep[i];
out:
	free(s.reads);
	free(s.at);
	return kept;
}

const char *mml_check_answer_name(enum mml_check_answer a)
{
	static const char *const names[] = {
		[MML_CHECK_CONSISTENT] = "consistent",
		[MML_CHECK_INCONSISTENT] = "inconsistent",
		[MML_CHECK_UNDECIDED] = "undecided",
	};
	return names[a];
}

const char *mml_check_model_name(enum mml_check_model m)
{
	static const char *const names[] = {
		[MML_MODEL_POLICY] = "the ops' policies",
		[MML_MODEL_ATOMIC] = "every op atomic",
		[MML_MODEL_PAGE] = "every op page by page",
		[MML_MODEL_COARSE] = "the policies as the streaming oracle applies them",
	};
	return names[m];
}
