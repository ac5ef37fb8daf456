/* What every page holds once each op is in effect: the tables the oracle
 * reads (doc/oracle.md, "Values").  Built once per program by playing the ops'
 * effects (ops.h) over a per-page state, so the oracle's per-read work is a
 * table lookup. */
#ifndef MMLITMUS_HISTORY_H
#define MMLITMUS_HISTORY_H

#include <stdint.h>

#include "program.h"

enum {
	/* Where a store lands (landing) when it is no generation's file. */
	MML_LAND_ANON = 251,  /* private anonymous memory */
	MML_LAND_FAULT = 252, /* nowhere: the store faults */
};

struct mml_history {
	uint32_t pages;
	unsigned ngens; /* K + 1: op indices 0 (initial state) .. K */
	/* Page-major, [page * ngens + j], so one page's row shares a line. */
	uint8_t *value;     /* value id a reader sees on the page once j is in effect */
	uint8_t *lastcover; /* largest j' <= j that covers the page, 0 if none */
	/* The smallest j' in [L, F] whose value class holds value[j], where F
	 * = lastcover[j] and L the last op before F that covers the page:
	 * what a read of value[j] proves while F may still be in flight
	 * (doc/oracle.md, the bound L).  F itself unless an alternative value
	 * of an earlier op looks the same. */
	uint8_t *proof;
	/* A second value the page may show once j is in effect, MML_V_BAD
	 * when none (MADV_FREE: zeros).  An alternative never covers. */
	uint8_t *alt;
	/* Writer mode only, NULL otherwise (writer.h): the generation whose
	 * file a store to the page lands in once j is in effect, or
	 * MML_LAND_ANON or MML_LAND_FAULT; and the largest j' <= j that
	 * changed it, 0 if none. */
	uint8_t *landing;
	uint8_t *landcover;
};

/* Returns 0, or -ENOMEM. */
int mml_history_build(struct mml_history *h, const struct mml_program *p);
void mml_history_free(struct mml_history *h);

static inline const uint8_t *mml_history_row(const uint8_t *table,
					     const struct mml_history *h,
					     uint32_t page)
{
	return table + (size_t)page * h->ngens;
}

/* Whether op j's value class on the page holds the value: j is in
 * cand(v, p) of doc/oracle.md. */
static inline int mml_history_candidate(const struct mml_history *h,
					uint32_t page, unsigned j, uint8_t value)
{
	size_t at = (size_t)page * h->ngens + j;
	return h->value[at] == value || h->alt[at] == value;
}

static inline int mml_history_covers(const struct mml_history *h,
				     uint32_t page, unsigned j)
{
	return j > 0 && mml_history_row(h->lastcover, h, page)[j] == j;
}

#endif
