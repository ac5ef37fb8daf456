/* Vacuity (SPEC.md, "Vacuity: a Never must be earned") without the kernel:
 * which racing reads count for which op.  Output is TAP. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "oracle.h"
#include "program.h"
#include "reader.h"
#include "run.h"

static int failures, tests;

static void ok(bool pass, const char *what)
{
	printf("%sok %d - %s\n", pass ? "" : "not ", ++tests, what);
	failures += !pass;
}

/* 16 pages of a memfd and the ops given, one reader. */
static void program(struct mml_program *p, const char *const *ops, unsigned n)
{
	mml_program_classic(p);
	p->nops = n;
	for (unsigned i = 0; i < n; i++) {
		if (mml_op_parse(ops[i], p->pages, &p->ops[i])) {
			printf("Bail out! bad op %s\n", ops[i]);
			exit(1);
		}
	}
}

/* Counting ----------------------------------------------------------------- */

static struct mml_shared shared;
static struct mml_reader_thread reader;

static void count(uint32_t page, uint32_t before, uint32_t after)
{
	mml_count_racing(&reader, page, before, after);
}

static uint64_t per_op_sum(unsigned nops)
{
	uint64_t n = 0;
	for (unsigned j = 1; j <= nops; j++)
		n += reader.op_racing_reads[j];
	return n;
}

/* Op 1 covers pages 0-7, op 3 pages 4-15; op 2 covers none. */
static void counting(void)
{
	static const char *const ops[] = {"mapfixed:0-8", "collapse", "munmap:4-16"};
	struct mml_program p;
	struct mml_history h;
	struct mml_span quiet[MML_MAX_OPS + 1];
	program(&p, ops, 3);
	if (mml_history_build(&h, &p)) {
		printf("Bail out! no memory\n");
		exit(1);
	}
	mml_reader_quiet(&p, &h, quiet);
	ok(quiet[1].lo == quiet[1].hi && quiet[3].lo == quiet[3].hi &&
		   quiet[2].lo == 0 && quiet[2].hi == 16,
	   "only the op that covers no page is counted over its range");
	shared.history = &h;
	shared.quiet = quiet;
	reader.shared = &shared;

	uint32_t run1 = mml_state_running(1), run3 = mml_state_running(3);
	count(2, run1, run1);
	count(12, run1, run1);
	ok(reader.op_racing_reads[1] == 1 && reader.racing_reads == 2,
	   "a read counts for op 1 on a page it covers, and only globally elsewhere");

	count(12, mml_state_running(2), mml_state_running(2));
	ok(reader.op_racing_reads[2] == 1,
	   "an op that covers no page is raced anywhere in its range");

	count(12, run3, run3);
	count(2, run3, run3);
	ok(reader.op_racing_reads[3] == 1, "munmap:4-16 is raced on page 12, not on page 2");

	uint32_t changed = run3 | MML_STATE_CHANGED;
	count(12, changed, changed);
	count(12, run3, changed);
	ok(reader.op_racing_reads[3] == 1 && reader.racing_reads == 7,
	   "a read that saw the mark of the visible change's end does not race the op");

	ok(per_op_sum(p.nops) <= reader.racing_reads,
	   "the ops' racing reads are a part of the racing reads");
	mml_history_free(&h);
}

int main(void)
{
	counting();
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
