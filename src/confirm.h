/* A finding confirmed before it is reported: the reads one reader recorded
 * in the iteration (its trace ring, trace.h) up to the violating read, and
 * the read a peer taught it from, are decided by the reference checker
 * under the ops' policies (doc/oracle.md, "Every finding confirmed"). */
#ifndef MMLITMUS_CONFIRM_H
#define MMLITMUS_CONFIRM_H

#include "history.h"
#include "oracle.h"
#include "program.h"
#include "trace.h"

enum mml_confirmation {
	MML_CONFIRMED,   /* the reference finds the reads inconsistent too */
	MML_DISAGREES,   /* it calls them consistent: a bug of the harness */
	/* Neither: the reference ran out of budget, or the ring no longer
	 * holds the reads of the iteration that the finding rests on. */
	MML_UNCONFIRMED,
	MML_CONFIRMATION_COUNT,
};

/* Decides the reads of one reader's ring up to violation v's read.
 * *core (may be NULL) gets the size of a smallest inconsistent set of
 * them, 0 when not asked for or not found. */
enum mml_confirmation mml_confirm(const struct mml_program *p,
				  const struct mml_history *h,
				  const struct mml_trace *ring,
				  const struct mml_violation *v, unsigned *core);

const char *mml_confirmation_name(enum mml_confirmation c);

#endif
