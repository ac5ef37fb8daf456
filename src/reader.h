/* Readers: threads that sweep the region in their own page order, load the
 * tag word of each page through a guarded load, and hand every
 * observation to their oracle as it happens.  They are started once per
 * run and parked between iterations. */
#ifndef MMLITMUS_READER_H
#define MMLITMUS_READER_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "guard.h"
#include "history.h"
#include "oracle.h"
#include "park.h"
#include "program.h"
#include "run.h"
#include "trace.h"

enum {
	/* Set in the state word beside 2j-1 once op j's visible change has
	 * returned, when the op does more work before it returns itself
	 * (ops.h, finish).  In the state word rather than a word of its own
	 * because the readers load that word around every read already: the
	 * mark costs the read loop nothing, and it is ordered with the
	 * running and done stores by construction.  The oracle takes the low
	 * eight bits only (struct mml_obs), so its encoding is unchanged, and
	 * final_state never carries the mark. */
	MML_STATE_CHANGED = 1u << 8,
};

/* The pages [lo, hi); empty when lo == hi. */
struct mml_span {
	uint32_t lo, hi;
};

/* What the mapper and the readers share during a run.  The words written
 * during an iteration sit on cache lines of their own. */
struct mml_shared {
	/* oracle.h: 2j-1 running, 2j done; MML_STATE_CHANGED */
	alignas(64) _Atomic uint32_t state;
	alignas(64) _Atomic uint32_t knowledge; /* sharing: m << 8 | reader */
	alignas(64) _Atomic int mapper_cpu;
	alignas(64) struct mml_parking go;      /* iteration number to run */
	alignas(64) struct mml_parking running; /* readers that began it */
	alignas(64) struct mml_parking arrived; /* readers done with it */
	_Atomic bool quit;
	/* Written by the mapper before it opens the gate. */
	uint32_t run;
	uint32_t final_state;
	bool share;
	bool write; /* writer mode: store after every read (writer.h) */
	uint32_t reader_yield;
	const struct mml_history *history;
	const bool *atomic;
	/* Per op index: its range when it covers no page, else empty
	 * (mml_races_op). */
	const struct mml_span *quiet;
	const char *region;
	size_t page_size;
};

/* Cache-line aligned: a reader writes its counters and its guard on every
 * read, and must not slow down the next reader in the array. */
struct mml_reader_thread {
	alignas(64) unsigned id;
	struct mml_shared *shared;
	struct mml_reader_thread *peers; /* all readers, for sharing */
	uint32_t *order;
	uint32_t norder;
	bool reshuffle; /* random order: a new permutation every iteration */
	uint64_t rng;
	uint8_t *seen;
	struct mml_violation *kept;
	unsigned keep;
	struct mml_guard guard;
	int start_error; /* -errno from start-up, reported by the mapper */
	/* Per iteration, read by the mapper after the reader arrived. */
	alignas(64) struct mml_oracle oracle;
	struct mml_knowledge raised[MML_MAX_OPS + 1]; /* published knowledge */
	uint64_t reads, racing_reads, shared_cpu_reads, holes, sweeps;
	uint64_t writes, faulted_writes, unchecked_writes, racing_writes;
	uint64_t shared_cpu_sweeps; /* begun on the mapper's CPU */
	/* Sweeps by how many distinct values they saw: 1, 2, 3, 4 or more.
	 * A sweep that saw two generations watched an op happen. */
	uint64_t sweep_values[MML_SWEEP_BUCKETS];
	uint64_t sweep_mask; /* this sweep's values; bit 63: zero, hole, bad */
	struct mml_trace trace; /* this iteration's reads (trace.h) */
	/* Per op index, mml_op_result; apart from the counters every read
	 * touches, since only racing reads touch it. */
	uint64_t op_racing_reads[MML_MAX_OPS + 1];
};

/* Whether a read of the page can race op j (doc/oracle.md, "Vacuity: a Never must be earned"): on a
 * page the op covers.  An op that covers no page (pageout, collapse,
 * migrate, mlock: its visible change is nothing) promises that nothing
 * changes while it runs, so there every page of its range can race it. */
static inline bool mml_races_op(const struct mml_shared *sh, uint32_t page,
				unsigned j)
{
	const struct mml_span *q = &sh->quiet[j];
	return mml_history_covers(sh->history, page, j) ||
	       (page >= q->lo && page < q->hi);
}

/* A read wholly inside op j's window, on another CPU than the mapper's.
 * It races op j itself only while the op's visible change may be in
 * progress: the mark of its end in neither state load. */
static inline void mml_count_racing(struct mml_reader_thread *t, uint32_t page,
				    uint32_t before, uint32_t after)
{
	t->racing_reads++;
	unsigned j = mml_state_started((uint8_t)before);
	if (before == after && !(before & MML_STATE_CHANGED) &&
	    mml_races_op(t->shared, page, j))
		t->op_racing_reads[j]++;
}

/* Into quiet[1..K]: op j's range when it covers no page, else empty. */
void mml_reader_quiet(const struct mml_program *p, const struct mml_history *h,
		      struct mml_span *quiet);

/* The sweep order as a page list, seeded; returns 0 or -ENOMEM. */
int mml_reader_order(struct mml_reader_thread *t, const struct mml_reader *r,
		     uint32_t pages, uint64_t seed);
void *mml_reader_main(void *arg);

#endif
