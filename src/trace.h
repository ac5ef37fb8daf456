/* Traces of a race: each reader keeps a bounded ring of its most recent
 * observations, always, so that a finding is confirmed from it before it
 * is reported (confirm.h).  For a picture the run also keeps one
 * iteration's rings, the first that fired (or else the last), for plot.c
 * to draw. */
#ifndef MMLITMUS_TRACE_H
#define MMLITMUS_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "oracle.h"
#include "program.h"

enum { MML_TRACE_ENTRIES = 1u << 14 }; /* per reader */

struct mml_trace_entry {
	uint32_t index; /* read number in the iteration */
	uint32_t page;
	uint8_t value;
	uint8_t before, after; /* the mapper's state around the read */
};

/* One reader's ring.  After its first violation it records half a ring
 * more and stops, so the violation sits in the middle of what is kept. */
struct mml_trace {
	struct mml_trace_entry *ring; /* NULL: not recording */
	uint32_t next, count;
	uint32_t remaining;
};

/* The iteration that a picture shows. */
struct mml_capture {
	bool filled, fired;
	unsigned nreaders;
	uint32_t count[MML_MAX_READERS]; /* entries per reader, oldest first */
	struct mml_trace_entry *entries; /* MML_TRACE_ENTRIES per reader */
	bool marked;
	struct mml_violation mark; /* the pair to label */
};

void mml_trace_reset(struct mml_trace *t);

static inline void mml_trace_add(struct mml_trace *t, const struct mml_obs *ob,
				 bool violation)
{
	if (t->remaining == 0)
		return;
	t->remaining--;
	t->ring[t->next] = (struct mml_trace_entry){(uint32_t)ob->index, ob->page,
						    ob->value, ob->before, ob->after};
	t->next = (t->next + 1) % MML_TRACE_ENTRIES;
	if (t->count < MML_TRACE_ENTRIES)
		t->count++;
	if (violation && t->remaining > MML_TRACE_ENTRIES / 2)
		t->remaining = MML_TRACE_ENTRIES / 2;
}

/* Copies a ring into the capture's slot for reader i, oldest first. */
void mml_trace_copy(const struct mml_trace *t, struct mml_capture *c,
		    unsigned i);

/* Returns 0 or -ENOMEM; mml_capture_free releases it. */
int mml_capture_init(struct mml_capture *c);
void mml_capture_free(struct mml_capture *c);
/* Empties it for another run, keeping its memory. */
void mml_capture_reset(struct mml_capture *c);

#endif
