/* libFuzzer target: one execution of a litmus program per input.  A finding
 * (or a fired control) aborts, so libFuzzer keeps the input as a crash;
 * what the run observed goes into extra counters (src/feedback.h).  The
 * mutations change the program as a whole half the time (src/mutate.h). */
#include <stdio.h>
#include <stdlib.h>

#include "execution.h"
#include "feedback.h"
#include "mutate.h"

__attribute__((section("__libfuzzer_extra_counters")))
static uint8_t observed[MML_FEEDBACK_SIZE];

static struct mml_execution_env env;
static struct mml_execution execution;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char why[256];
	if (mml_execution_env(&env, why, sizeof why)) {
		fprintf(stderr, "mmlitmus: %s\n", why);
		exit(2);
	}
	if (mml_execution_is_fork_job(*argc, *argv) && mml_execution_end_with_root())
		fprintf(stderr, "mmlitmus: this -fork job cannot watch its root: it "
			"outlives a kill of the root by its -max_total_time\n");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mml_execute(&env, data, size, &execution);
	mml_execution_warn(&execution);
	if (execution.status == MML_EXEC_SKIPPED || execution.status == MML_EXEC_ERROR)
		return -1; /* not a program this run may execute: keep it out */
	if (env.feedback)
		mml_feedback(&execution.result, observed);
	if (execution.status == MML_EXEC_FIRED) {
		mml_execution_report(stderr, "fuzz input", &execution);
		abort();
	}
	return 0;
}

/* libFuzzer's own mutations, which the custom mutator replaces. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* The byte mutations stay for the other half: they reach the values
 * the draws make rare (a CPU by number, a delay near its cap). */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	size_t len = seed & 1 ? mml_mutate(&env, data, size, max_size, seed >> 1, NULL) : 0;
	return len ? len : LLVMFuzzerMutate(data, size, max_size);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na, const uint8_t *b,
				 size_t nb, uint8_t *out, size_t max,
				 unsigned int seed)
{
	return mml_crossover(&env, a, na, b, nb, out, max, seed);
}
