/* AFL++ target: persistent mode with shared-memory test cases, one
 * execution of a litmus program per input.  A finding (or a fired control)
 * aborts.  What the run observed (src/feedback.h) goes into AFL++'s map
 * through coverage guards of its own: placed in the section that holds the
 * compiler's guards, they get map slots of their own when the runtime
 * numbers the guards at start-up, so they never collide with code
 * coverage and the map size AFL++ learns counts them. */
#include <stdio.h>
#include <stdlib.h>

#include "execution.h"
#include "feedback.h"

/* The sanitizer coverage interface, which AFL++'s runtime implements. */
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);

__attribute__((section("__sancov_guards"), used))
static uint32_t guards[MML_FEEDBACK_SIZE];
static struct mml_execution execution;

__AFL_FUZZ_INIT();

static void report_observed(const struct mml_result *r)
{
	uint8_t observed[MML_FEEDBACK_SIZE];
	mml_feedback(r, observed);
	/* Each hit adds one to the slot: a slot reads its magnitude. */
	for (int i = 0; i < MML_FEEDBACK_SIZE; i++)
		for (uint8_t n = 0; n < observed[i]; n++)
			__sanitizer_cov_trace_pc_guard(&guards[i]);
}

int main(void)
{
	struct mml_execution_env env;
	char why[256];
	if (mml_execution_env(&env, why, sizeof why)) {
		fprintf(stderr, "mmlitmus: %s\n", why);
		return 2;
	}
	__AFL_INIT();
	const unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(10000)) {
		size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
		mml_execute(&env, buf, len, &execution);
		mml_execution_warn(&execution);
		bool ran = execution.status == MML_EXEC_CLEAN ||
			   execution.status == MML_EXEC_FIRED;
		if (ran && env.feedback)
			report_observed(&execution.result);
		if (execution.status == MML_EXEC_FIRED) {
			mml_execution_report(stderr, "fuzz input", &execution);
			abort();
		}
	}
	return 0;
}
