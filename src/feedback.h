/* Behavioural feedback: what a run observed, as counters a coverage-guided
 * fuzzer can tell apart.  Code coverage of the harness saturates within
 * seconds; these keep rewarding inputs that make the readers see more
 * of the race (doc/fuzzing.md, "Behavioural feedback", lists every slot).
 *
 * Each slot holds 0 for "never", else 1 + floor(log2(count)), so that the
 * fuzzers' own hit-count buckets see orders of magnitude. */
#ifndef MMLITMUS_FEEDBACK_H
#define MMLITMUS_FEEDBACK_H

#include <stdint.h>

#include "run.h"

enum {
	MML_FB_VIOLATIONS = 0, /* [class * 2 + finding] */
	MML_FB_SWEEPS = MML_FB_VIOLATIONS + 2 * MML_CLASS_COUNT, /* 1, 2, 3, 4+ values */
	MML_FB_HOLES = MML_FB_SWEEPS + MML_SWEEP_BUCKETS,
	MML_FB_RACING = MML_FB_HOLES + 1,
	MML_FB_SHARED_CPU = MML_FB_RACING + 1,
	MML_FB_EARLY_NEW = MML_FB_SHARED_CPU + 1,
	MML_FB_LATENCY = MML_FB_EARLY_NEW + 1, /* [kind * buckets + bucket] */
	MML_FEEDBACK_SIZE = MML_FB_LATENCY + MML_OP_COUNT * MML_LATENCY_BUCKETS,
};

void mml_feedback(const struct mml_result *r, uint8_t out[MML_FEEDBACK_SIZE]);

#endif
