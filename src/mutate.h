/* Structure-aware mutation of fuzz inputs, for both fuzzers.
 *
 * Every field of the input format has a fixed offset, so a byte mutation
 * changes one field at a time: it cannot insert an op record and raise
 * the op count with it, nor change the page order together with the page
 * count.  Bugs that need two or three fields at once (an mprotect right
 * before an mremap; anonymous memory over whole 2 MiB folios) are then
 * out of reach of one mutation.  These functions decode the input, make
 * one change to the program as a whole, drawn field by field as `stress`
 * draws programs (draw.h), and encode the result, which keeps within the
 * caps and the op set, passes mml_program_check and asks nothing of the
 * machine it lacks (huge pages, CPUs), so that it runs.  An input outside
 * the caps or the op set is first brought within them (its extra ops and
 * readers dropped, the fields over a cap and the ops outside the set
 * drawn anew), so that mutations of it run. */
#ifndef MMLITMUS_MUTATE_H
#define MMLITMUS_MUTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "execution.h"
#include "program.h"

enum mml_mutation {
	MML_MUTATE_INSERT,   /* an op drawn to fit at a random place */
	MML_MUTATE_DELETE,   /* an op taken out */
	MML_MUTATE_OP,       /* an op drawn anew: kind, range, parameters */
	MML_MUTATE_PARAMS,   /* an op's parameters drawn anew */
	MML_MUTATE_RANGE,    /* an op's range drawn anew */
	MML_MUTATE_REGION,   /* backing, page order and pages drawn anew */
	MML_MUTATE_PAGES,    /* the page count, in folios of the same order */
	MML_MUTATE_ORDER,    /* another page order, and pages in its folios */
	MML_MUTATE_BACKING,  /* generation 0's backing */
	MML_MUTATE_KNOB,     /* one of delay, reader-yield, mapper CPU, repeat,
			      * populate, share, write, read-only and the
			      * perturber */
	MML_MUTATE_READER_ADD,
	MML_MUTATE_READER_REMOVE,
	MML_MUTATE_READER,   /* a reader's order and parameter drawn anew */
	MML_MUTATION_COUNT,
};

const char *mml_mutation_name(enum mml_mutation m);

/* Applies a change of kind m to a program within the env's caps and op
 * set.  A change of the region carries the ops' ranges along, scaled to
 * the same place in the new region, and draws again the ops and readers
 * that no longer fit.  Returns false when the change does not apply (an
 * insert into a program with all the ops the cap allows, a delete of its
 * only op) or no op fitted where one was needed. */
bool mml_mutate_program(const struct mml_execution_env *env,
			struct mml_program *p, enum mml_mutation m,
			uint64_t *rng);

/* Mutates an input in place, as libFuzzer's LLVMFuzzerCustomMutator does:
 * one change drawn from seed, tried again a few times when it fails the
 * checks, would not run here, does not fit in max_size bytes or gives the
 * input back.
 * Returns the new size, or 0 when no change was found (the caller then
 * mutates the bytes).  *done (may be NULL) says which change was made. */
size_t mml_mutate(const struct mml_execution_env *env, uint8_t *data,
		  size_t size, size_t max_size, uint64_t seed,
		  enum mml_mutation *done);

/* The same with up to `changes` changes in a row (at least one made):
 * AFL++ mutates each time from the queue entry, where libFuzzer stacks
 * its mutations on one input (-mutate_depth), so its custom stage asks
 * for several.  *done says which change was made last. */
size_t mml_mutate_stacked(const struct mml_execution_env *env, uint8_t *data,
			  size_t size, size_t max_size, uint64_t seed,
			  unsigned changes, enum mml_mutation *done);

/* A program with the region, knobs and readers of a, and a's ops with a
 * run of b's spliced in at an op boundary (after them, before them,
 * between two, or in place of as many of a's), b's ranges scaled onto
 * a's region; it holds ops of both.  Writes at most max bytes to out.
 * Returns the size, or 0 when no such program passes the checks. */
size_t mml_crossover(const struct mml_execution_env *env, const uint8_t *a,
		     size_t na, const uint8_t *b, size_t nb, uint8_t *out,
		     size_t max, uint64_t seed);

#endif
