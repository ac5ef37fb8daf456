/* Running a litmus program: set-up once (region, backings, history, parked
 * reader threads), then iterations of reset, ops and final sweeps, with
 * every reader's verdicts merged into one result. */
#ifndef MMLITMUS_RUN_H
#define MMLITMUS_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "confirm.h"
#include "huge.h"
#include "oracle.h"
#include "program.h"
#include "trace.h"

struct mml_crew;
struct mml_shelf;

enum {
	MML_EVIDENCE_MAX = 32,
	/* Op latency buckets: below 2 us, 2-4, 4-8, ... up to 128 us and more. */
	MML_LATENCY_BUCKETS = 8,
	MML_SWEEP_BUCKETS = 4, /* sweeps saw 1, 2, 3, 4+ distinct values */
};

struct mml_config {
	double seconds;      /* stop after this long; 0: no time limit */
	uint64_t iterations; /* stop after this many; 0: no limit */
	uint64_t seed;
	unsigned evidence;   /* violations kept with full evidence */
	uint64_t min_racing; /* below this many racing reads: inconclusive */
	bool stop_on_finding;
	bool stop_on_violation; /* expected ones too: a control has fired */
	bool progress;       /* a progress line on stderr */
	volatile sig_atomic_t *stop; /* set asynchronously: stop after this iteration */
	/* When set, the readers record traces and the first iteration that
	 * fires (else the last) is kept here, for a picture (trace.h). */
	struct mml_capture *capture;
	/* With capture: keep the first iteration with any violation, expected
	 * ones too, and copy no other; the survey keeps the first iteration
	 * of a Sometimes this way without copying the rings of every clean
	 * iteration before it. */
	bool capture_violations;
	/* Threads to run the readers and the perturber on, kept between runs;
	 * NULL: the run starts its own and ends them. */
	struct mml_crew *crew;
	/* Backing files kept between runs (backing.h); NULL: none kept. */
	struct mml_shelf *shelf;
};

/* What a Never rests on, op by op (doc/oracle.md, "Vacuity: a Never must be
 * earned"). */
struct mml_op_result {
	/* Reads on another CPU than the mapper's, wholly inside the op's
	 * visible change, on the pages it covers; over its whole range when
	 * it covers none (whole_range). */
	uint64_t racing_reads;
	uint64_t refusals; /* iterations the kernel refused a best-effort op */
	int refusal;       /* errno of the first refusal, 0 when none */
	bool whole_range;
};

struct mml_result {
	uint64_t iterations, reads, sweeps, holes;
	uint64_t racing_reads;     /* whole read inside an op window, other CPU */
	uint64_t shared_cpu_reads; /* the same, on the mapper's CPU */
	uint64_t shared_cpu_sweeps; /* sweeps begun on the mapper's CPU */
	uint64_t racing_iterations;
	uint64_t early_new;        /* new values seen before the op was marked complete */
	uint64_t early_new_iterations;
	/* Writer mode (writer.h). */
	uint64_t writes;           /* stores that did not fault */
	uint64_t faulted_writes;   /* stores that faulted: nothing landed */
	uint64_t unchecked_writes; /* of the writes, those into anonymous memory */
	uint64_t racing_writes;    /* whole store inside an op window, other CPU */
	uint64_t checked_writes;   /* store words found in the files and judged */
	uint64_t count[MML_CLASS_COUNT][2]; /* [class][finding] */
	uint64_t violation_iterations, finding_iterations;
	/* When the first iteration with a violation ended, in seconds from
	 * the first iteration's start; meaningful when violation_iterations
	 * is not 0.  How long a shape takes to show. */
	double first_violation_seconds;
	/* Each reader's first finding on a read in an iteration, decided by
	 * the reference checker (confirm.h).  The findings of a reader whose
	 * finding the reference calls consistent are not counted above: they
	 * are a bug of the harness, counted here. */
	uint64_t confirmations[MML_CONFIRMATION_COUNT];
	uint64_t disagreeing_findings;
	unsigned first_core; /* reads in the first confirmed finding's core */
	struct mml_violation disagreement; /* the first, when there is one */
	uint64_t histogram[1u << MML_CLASS_COUNT]; /* iterations by classes seen */
	uint64_t sweep_values[MML_SWEEP_BUCKETS];
	uint64_t perturbations; /* the perturber's forks or map-unmap rounds */
	uint64_t op_latency[MML_OP_COUNT][MML_LATENCY_BUCKETS];
	struct mml_op_result ops[MML_MAX_OPS + 1]; /* [j] for op j, 1..K */
	/* Whether generation 0 really was mapped by folios of the page order:
	 * blocks counted over the iterations checked (run.c, count_huge). */
	struct mml_huge_count huge;
	uint64_t huge_checks;
	struct mml_violation evidence[MML_EVIDENCE_MAX];
	unsigned nevidence;
	double seconds;
	uint32_t run_base;
	bool interrupted;
	char error[256]; /* set when the environment stopped the run */
};

/* Returns 0 when the run completed (findings or not), -1 when the
 * environment stopped it; then r->error says why. Partial counts stay. */
int mml_run(const struct mml_program *p, const struct mml_config *c,
	    struct mml_result *r);

/* NULL when this machine offers what the program needs beyond its own
 * checks (huge pages, a second NUMA node for migrate), else a one-line
 * reason.  The reason may live in a buffer of the calling thread. */
const char *mml_run_unavailable(const struct mml_program *p);

/* Seconds on the monotonic clock: what every time budget is measured by. */
double mml_now_seconds(void);

uint64_t mml_result_findings(const struct mml_result *r);
uint64_t mml_result_violations(const struct mml_result *r);
/* Iterations in which class c showed, from the histogram of states. */
uint64_t mml_result_class_iterations(const struct mml_result *r, int c);
/* The class with the most violations of one kind (findings or expected
 * ones): the class a one-line answer names. */
int mml_result_top_class(const struct mml_result *r, bool finding);
/* The first kept violation of that class and kind, or NULL. */
const struct mml_violation *mml_result_evidence_of(const struct mml_result *r,
						   int cls, bool finding);

/* Whether a run fired: a finding, a disagreement, or any violation in a
 * program with a control op.  The fuzzers crash on it and the commands
 * exit 1. */
bool mml_fired(const struct mml_program *p, const struct mml_result *r);

#endif
