#include "oracle.h"

#include <string.h>

#include "tag.h"

static const char *const class_names[MML_CLASS_COUNT] = {
	[MML_MISDIRECTED] = "misdirected",
	[MML_FUTURE] = "future",
	[MML_SAME_PAGE] = "same-page",
	[MML_STALE_AFTER_RETURN] = "stale-after-return",
	[MML_CAUSALITY] = "causality",
	[MML_HOLE_THEN_DATA] = "hole-then-data",
	[MML_NEW_THEN_STALE] = "new-then-stale",
	[MML_LOST_WRITE] = "lost-write",
	[MML_MISDIRECTED_WRITE] = "misdirected-write",
};

static const char *const source_names[] = {
	[MML_SRC_INITIAL] = "initial",
	[MML_SRC_OWN] = "own",
	[MML_SRC_COMPLETED] = "completed",
	[MML_SRC_PEER] = "peer",
};

const char *mml_class_name(enum mml_class c) { return class_names[c]; }
const char *mml_source_name(enum mml_source s) { return source_names[s]; }

void mml_oracle_init(struct mml_oracle *o, const struct mml_history *h,
		     const bool *atomic, uint8_t *seen,
		     struct mml_violation *kept, unsigned keep)
{
	memset(o, 0, sizeof *o);
	o->h = h;
	o->atomic = atomic;
	o->seen = seen;
	o->kept = kept;
	o->keep = keep;
	mml_oracle_reset(o);
}

void mml_oracle_reset(struct mml_oracle *o)
{
	memset(&o->k, 0, sizeof o->k);
	o->k.source = MML_SRC_INITIAL;
	memset(o->seen, 0, o->h->pages);
}

void mml_oracle_learn(struct mml_oracle *o, const struct mml_knowledge *peer)
{
	if (peer->m <= o->k.m)
		return;
	o->k = *peer;
	o->k.source = MML_SRC_PEER;
}

/* cand(v, p), reduced to what the rules need, and limited to the ops that
 * had started when the read ended: a later op cannot have produced the
 * value.  Without that limit an ambiguous value (ZERO from an earlier and
 * a later op) would raise M to an op that has not started, and a correct
 * read after it would be flagged. */
struct candidates {
	bool any;       /* cand(v, p) is not empty */
	int max;        /* largest started candidate; -1 when none */
	int min_from_l; /* smallest started candidate >= L; -1 when none */
};

static struct candidates find_candidates(const struct mml_history *h,
					 uint32_t page, uint8_t value,
					 unsigned l, unsigned started)
{
	struct candidates c = {false, -1, -1};
	if (value == MML_V_BAD)
		return c;
	for (unsigned j = 0; j < h->ngens; j++) {
		if (!mml_history_candidate(h, page, j, value))
			continue;
		c.any = true;
		if (j > started)
			break;
		c.max = (int)j;
		if (j >= l && c.min_from_l < 0)
			c.min_from_l = (int)j;
	}
	return c;
}

/* Ops run one after another: knowing that a later op than F is in effect,
 * or that F returned, means F had returned before this read began. */
static bool had_returned(const struct mml_oracle *o, const struct mml_obs *ob,
			 unsigned f)
{
	return f <= mml_state_completed(ob->before) || f < o->k.m;
}

/* A stale read: the value is older than F, the last op known to cover the
 * page.  Which kind of stale depends on what the reader had seen. */
static enum mml_class classify_stale(const struct mml_oracle *o,
				     const struct mml_obs *ob, unsigned f)
{
	if (o->seen[ob->page] >= f)
		return MML_SAME_PAGE;
	if (had_returned(o, ob, f))
		return MML_STALE_AFTER_RETURN;
	/* Another reader saw F in effect and told this one, which then read
	 * the page as it was before F.  Whatever the peer's new value was: the
	 * news crossed threads, which is what this class is about. */
	if (o->k.source == MML_SRC_PEER)
		return MML_CAUSALITY;
	if (o->k.source != MML_SRC_COMPLETED && o->k.obs.value == MML_V_HOLE)
		return MML_HOLE_THEN_DATA;
	return MML_NEW_THEN_STALE;
}

/* Causality follows new-then-stale's policy, even when the peer's news
 * came from this very page: a non-atomic munmap may zap the page on the
 * peer's CPU while this CPU still holds the old translation, until the
 * flush that ends the zap reaches it.  Only an atomic op promises that
 * no CPU can see the old page once any CPU saw the new one. */
static bool is_finding(const struct mml_oracle *o, enum mml_class cls,
		       unsigned f)
{
	if (cls == MML_NEW_THEN_STALE || cls == MML_HOLE_THEN_DATA ||
	    cls == MML_CAUSALITY)
		return o->atomic[f];
	return true;
}

int mml_oracle_record(struct mml_oracle *o, const struct mml_violation *v)
{
	o->count[v->cls][v->finding]++;
	o->classes |= 1u << v->cls;
	bool room = o->nkept - o->nextra < o->keep &&
		    (v->finding || o->nkept_expected < (o->keep + 1) / 2);
	bool first = o->keep > 0 && !(o->kept_classes & 1u << v->cls);
	if (room || first) {
		o->nkept_expected += room && !v->finding;
		o->nextra += !room;
		o->kept_classes |= 1u << v->cls;
		o->kept[o->nkept++] = *v;
	}
	return MML_OBSERVED_VIOLATION | (v->finding ? MML_OBSERVED_FINDING : 0);
}

static int flag(struct mml_oracle *o, const struct mml_obs *ob,
		enum mml_class cls, unsigned f)
{
	struct mml_violation v = {.cls = cls, .finding = is_finding(o, cls, f),
				  .op = (uint8_t)f, .run = o->run,
				  .known = o->k, .obs = *ob};
	return mml_oracle_record(o, &v);
}

/* The op a stale read is judged against: F, unless the value is older
 * than an op that had returned before the read began (the last one up to
 * completed, or up to M - 1 since op M started after it) and covers the
 * page.  Then the read is stale after that op's return, whatever the op
 * in flight allows. */
static unsigned stale_against(const struct mml_oracle *o, const struct mml_obs *ob,
			      const uint8_t *lastcover, unsigned f, unsigned newest)
{
	unsigned completed = mml_state_completed(ob->before);
	unsigned returned = o->k.m > completed + 1 ? o->k.m - 1u : completed;
	unsigned g = lastcover[returned < f ? returned : f];
	return newest < g ? g : f;
}

/* The bound L of doc/oracle.md: a read that began while F was in flight
 * may still show the page as it was before F, so it proves no op above
 * the last one before F that covers the page.  Unless F is atomic: the
 * reader knew F in effect (F <= M), so F was in effect on every page. */
static unsigned proof_floor(const struct mml_oracle *o, const struct mml_obs *ob,
			    const uint8_t *lastcover, unsigned f)
{
	if (f == 0 || had_returned(o, ob, f) || o->atomic[f])
		return f;
	return lastcover[f - 1];
}

int mml_oracle_observe_slow(struct mml_oracle *o, const struct mml_obs *ob)
{
	const struct mml_history *h = o->h;
	const uint8_t *lastcover = mml_history_row(h->lastcover, h, ob->page);
	unsigned f = lastcover[o->k.m];
	unsigned started = mml_state_started(ob->after);
	unsigned l = proof_floor(o, ob, lastcover, f);
	struct candidates c = find_candidates(h, ob->page, ob->value, l, started);

	if (!c.any)
		return flag(o, ob, MML_MISDIRECTED, f);
	if (c.max < 0)
		return flag(o, ob, MML_FUTURE, f);
	if ((unsigned)c.max < f) {
		unsigned missed = stale_against(o, ob, lastcover, f, (unsigned)c.max);
		return flag(o, ob, classify_stale(o, ob, missed), missed);
	}
	if (o->seen[ob->page] < c.min_from_l)
		o->seen[ob->page] = (uint8_t)c.min_from_l;
	if ((unsigned)c.min_from_l <= o->k.m)
		return 0;
	o->k.m = (uint8_t)c.min_from_l;
	o->k.source = MML_SRC_OWN;
	o->k.obs = *ob;
	if (o->k.m == started && mml_state_completed(ob->after) < started)
		o->early_new++;
	return MML_OBSERVED_RAISED;
}
