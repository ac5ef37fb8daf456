#include "confirm.h"

#include <stdlib.h>

#include "checker.h"

enum { BUDGET = 2000000 };

static struct mml_check_read from_entry(const struct mml_trace_entry *e,
					uint8_t reader)
{
	return (struct mml_check_read){.page = e->page, .value = e->value,
				       .before = e->before, .after = e->after,
				       .reader = reader, .after_read = -1};
}

static struct mml_check_read from_obs(const struct mml_obs *ob, uint8_t reader)
{
	return (struct mml_check_read){.page = ob->page, .value = ob->value,
				       .before = ob->before, .after = ob->after,
				       .reader = reader, .after_read = -1};
}

static const struct mml_trace_entry *ring_entry(const struct mml_trace *t,
						uint32_t i)
{
	uint32_t first = (t->next + MML_TRACE_ENTRIES - t->count) % MML_TRACE_ENTRIES;
	return &t->ring[(first + i) % MML_TRACE_ENTRIES];
}

/* Where the ring holds the read numbered index, or -1. */
static long ring_find(const struct mml_trace *t, uint64_t index)
{
	for (uint32_t i = 0; i < t->count; i++)
		if (ring_entry(t, i)->index == (uint32_t)index)
			return i;
	return -1;
}

/* The reads the finding rests on: a peer's read that taught this reader
 * (as reader 1, before everything it taught), the reader's own teaching
 * read when the ring lost it, then the ring up to the violating read. */
static unsigned gather(const struct mml_trace *t, const struct mml_violation *v,
		       long last, struct mml_check_read *reads, bool *whole)
{
	unsigned n = 0;
	uint32_t oldest = ring_entry(t, 0)->index;
	if (v->known.source == MML_SRC_PEER)
		reads[n++] = from_obs(&v->known.obs, 1);
	else if (v->known.source == MML_SRC_OWN && v->known.obs.index < oldest)
		reads[n++] = from_obs(&v->known.obs, 0);
	for (long i = 0; i <= last; i++)
		reads[n++] = from_entry(ring_entry(t, (uint32_t)i), 0);
	if (v->known.source == MML_SRC_PEER)
		reads[n - 1].after_read = 0;
	*whole = oldest == 0;
	return n;
}

enum mml_confirmation mml_confirm(const struct mml_program *p,
				  const struct mml_history *h,
				  const struct mml_trace *ring,
				  const struct mml_violation *v, unsigned *core)
{
	if (core)
		*core = 0;
	long last = ring->ring && ring->count ? ring_find(ring, v->obs.index) : -1;
	if (last < 0)
		return MML_UNCONFIRMED;
	struct mml_check_read *reads = malloc(sizeof *reads * ((size_t)last + 3));
	if (!reads)
		return MML_UNCONFIRMED;
	bool whole;
	unsigned n = gather(ring, v, last, reads, &whole);
	struct mml_check_trace t = {p, h, reads, n};
	enum mml_confirmation c = MML_UNCONFIRMED;
	switch (mml_check(&t, MML_MODEL_POLICY, BUDGET, NULL)) {
	case MML_CHECK_INCONSISTENT:
		c = MML_CONFIRMED;
		break;
	case MML_CHECK_CONSISTENT:
		/* Reads the ring dropped may be what proves it. */
		c = whole ? MML_DISAGREES : MML_UNCONFIRMED;
		break;
	case MML_CHECK_UNDECIDED:
		break;
	}
	if (c == MML_CONFIRMED && core) {
		bool *keep = malloc(n);
		if (keep)
			*core = mml_check_core(&t, MML_MODEL_POLICY, BUDGET, keep);
		free(keep);
	}
	free(reads);
	return c;
}

const char *mml_confirmation_name(enum mml_confirmation c)
{
	static const char *const names[] = {
		[MML_CONFIRMED] = "confirmed",
		[MML_DISAGREES] = "oracle disagreement",
		[MML_UNCONFIRMED] = "unconfirmed",
	};
	return names[c];
}
