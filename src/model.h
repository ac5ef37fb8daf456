/* The kernel model, and the streaming oracle judged against the reference
 * checker on its traces (doc/oracle.md, "How the oracle is tested").
 *
 * The model plays a program without threads: the mapper applies each op
 * unit by unit as its policy allows (the whole op, VMA by VMA, or page by
 * page, in any order), and readers take their state loads and reads at
 * chosen points of that timeline.  Every trace it makes is legal, so the
 * streaming oracle must find nothing in it.  Arbitrary traces, legal or
 * not, compare the oracle with the reference on what it does find.
 *
 * Every choice comes from a chooser: the bytes of a fuzz input, then a
 * seeded generator, so the tests and the fuzz target share one code. */
#ifndef MMLITMUS_MODEL_H
#define MMLITMUS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker.h"
#include "history.h"
#include "program.h"

enum {
	MML_MODEL_MAX_PAGES = 4,
	MML_MODEL_MAX_OPS = 3,
	MML_MODEL_MAX_READERS = 2,
	MML_MODEL_MAX_READS = 12,
};

struct mml_chooser {
	const uint8_t *data;
	size_t len, at;
	uint64_t rng;
	/* When set, each choice made from data records its range here, so
	 * that an enumerator can step through every sequence of choices. */
	uint8_t *ranges;
};

/* A choice in [0, n). */
unsigned mml_choose(struct mml_chooser *c, unsigned n);

/* A small program: 1 to max_pages (at most 4) pages of memfd or anonymous
 * memory, 1 to max_ops (at most 3) ops
 * among those whose values can be ambiguous, one reader per model reader.
 * Returns false when the draw is no valid program. */
bool mml_model_program(struct mml_chooser *c, unsigned max_pages,
		       unsigned max_ops, struct mml_program *p);

/* A legal execution: the ops applied as their policies allow, nreaders
 * readers (1 or 2; with 2, sharing what they learn, as reader.c does)
 * making nreads reads in all (at most MML_MODEL_MAX_READS) at chosen
 * points.  Returns the number of reads. */
unsigned mml_model_legal_trace(struct mml_chooser *c, const struct mml_program *p,
			       const struct mml_history *h, unsigned nreaders,
			       unsigned nreads, struct mml_check_read *reads);

/* An arbitrary trace of one reader: pages, values each page ever holds
 * (and now and then garbage), state loads that never go backwards. */
unsigned mml_model_any_trace(struct mml_chooser *c, const struct mml_program *p,
			     const struct mml_history *h,
			     struct mml_check_read *reads);

struct mml_model_verdict {
	bool finding;   /* the streaming oracle's */
	bool violation; /* expected or not */
	enum mml_check_answer answer[MML_MODEL_COUNT]; /* the reference's */
};

/* Fills only the oracle's part of the verdict. */
void mml_model_oracle(const struct mml_program *p, const struct mml_history *h,
		      const struct mml_check_read *reads, unsigned n,
		      struct mml_model_verdict *v);

/* Runs the streaming oracle (one per reader, sharing as in reader.c) and
 * the reference over a trace; knowledge one reader passed to another must
 * already be in the trace as after_read, as the model traces have it. */
void mml_model_judge(const struct mml_program *p, const struct mml_history *h,
		     const struct mml_check_read *reads, unsigned n,
		     struct mml_model_verdict *v);

/* The shapes the streaming oracle knowingly misses (doc/oracle.md). */
enum mml_model_gap {
	MML_GAP_NONE,
	/* A per-VMA op that may span VMAs is judged page by page, so a
	 * violation inside one of its VMAs is expected, not a finding. */
	MML_GAP_INSIDE_ONE_VMA,
	/* Only the readers together are inconsistent: each is judged alone. */
	MML_GAP_ACROSS_READERS,
	/* None of the above: a miss the documentation does not name, which
	 * the tests refuse. */
	MML_GAP_UNNAMED,
	MML_GAP_COUNT,
};

enum mml_model_fault {
	MML_FAULT_NONE,
	MML_FAULT_FALSE_FINDING,   /* a finding in a trace the policies explain */
	MML_FAULT_FALSE_VIOLATION, /* a violation in a trace atomic ops explain */
	MML_FAULT_UNDECIDED,       /* the reference ran out of budget */
};

/* Whether the verdict breaks soundness (*fault), and if the oracle missed
 * something, which gap it falls in. */
enum mml_model_fault mml_model_compare(const struct mml_program *p,
				       const struct mml_history *h,
				       const struct mml_check_read *reads,
				       unsigned n,
				       const struct mml_model_verdict *v,
				       enum mml_model_gap *missed_finding,
				       enum mml_model_gap *missed_violation);

/* One fuzz input: a program, a legal trace of one or two readers, and an
 * arbitrary trace, all drawn from the bytes; the first fault found, with
 * what it was on stderr. */
enum mml_model_fault mml_model_fuzz(const uint8_t *data, size_t len);

const char *mml_model_gap_name(enum mml_model_gap g);
const char *mml_model_fault_name(enum mml_model_fault f);

#endif
