/* The reference checker: the ground truth of doc/oracle.md, decided
 * exactly by search.  A trace is consistent with a model when instants can
 * be chosen for every read (inside its two state loads, never backwards in
 * its reader's program order, after any read it learned from) and for
 * every op (one instant per unit of the op, inside the op's window) such
 * that every read returns what its page holds at its instant.  The units
 * are the model: the whole op, each VMA it spans, or each page.
 *
 * Pure and single-threaded: the streaming oracle's tests compare against
 * it, and a run asks it to confirm a finding before reporting one. */
#ifndef MMLITMUS_CHECKER_H
#define MMLITMUS_CHECKER_H

#include <stdbool.h>
#include <stdint.h>

#include "history.h"
#include "program.h"

enum mml_check_model {
	MML_MODEL_POLICY, /* each op as its policy says (ops.h) */
	MML_MODEL_ATOMIC, /* every op at one instant */
	MML_MODEL_PAGE,   /* every op page by page, in any order */
	/* The policies as the streaming oracle applies them: an op that may
	 * span several VMAs page by page, instead of VMA by VMA. */
	MML_MODEL_COARSE,
	MML_MODEL_COUNT,
};

enum mml_check_answer {
	MML_CHECK_CONSISTENT,
	MML_CHECK_INCONSISTENT,
	MML_CHECK_UNDECIDED, /* the search budget ran out: never a finding */
};

/* One recorded read.  Reads of one reader appear in its program order;
 * reads of different readers may be interleaved in any way. */
struct mml_check_read {
	uint32_t page;
	uint8_t value;  /* value id (tag.h) */
	uint8_t before; /* mapper state loaded before the read (oracle.h) */
	uint8_t after;  /* and after it */
	uint8_t reader;
	/* Index in the trace of a read of another reader that happened
	 * before this one (its reader published what it learned, this one
	 * loaded it), or -1. */
	int32_t after_read;
};

struct mml_check_trace {
	const struct mml_program *p;
	const struct mml_history *h;
	const struct mml_check_read *reads;
	unsigned nreads;
};

/* Which unit of op j (1-based) holds page under the model, -1 when op j
 * changes nothing a reader can see there.  Units of the whole op are 0,
 * VMA pieces count from 0, pages are their own index; pages are in the
 * same unit exactly when the numbers are equal. */
int64_t mml_check_unit(const struct mml_program *p, const struct mml_history *h,
		       unsigned j, uint32_t page, enum mml_check_model model);

/* Decides the trace under the model, visiting at most budget search
 * states.  *states (may be NULL) gets the states visited. */
enum mml_check_answer mml_check(const struct mml_check_trace *t,
				enum mml_check_model model, uint64_t budget,
				uint64_t *states);

/* For an inconsistent trace: a smallest set of its reads that is
 * inconsistent on its own, found by removing reads while the rest stays
 * inconsistent.  keep[i] is set for the reads in it; returns how many, or
 * 0 when the trace was not found inconsistent within the budget (per
 * check). */
unsigned mml_check_core(const struct mml_check_trace *t,
			enum mml_check_model model, uint64_t budget, bool *keep);

const char *mml_check_answer_name(enum mml_check_answer a);
const char *mml_check_model_name(enum mml_check_model m);

#endif
