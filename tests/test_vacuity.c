/* Vacuity (doc/oracle.md, "Vacuity: a Never must be earned") without the kernel:
 * which racing reads count for which op, and what the outcome and the
 * reports say of hand-filled results.  Output is TAP. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "oracle.h"
#include "program.h"
#include "reader.h"
#include "report.h"
#include "run.h"
#include "tap.h"
#include "text.h"


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

/* Outcome and reports ------------------------------------------------------ */

static struct mml_result result;
static const struct mml_config config = {.min_racing = 1000};

/* A clean run of the ops given: 100 iterations, no violation, every op
 * racing well; tests then starve one. */
static struct mml_report clean(struct mml_program *p, const char *const *ops,
			       unsigned n)
{
	program(p, ops, n);
	memset(&result, 0, sizeof result);
	result.iterations = result.histogram[0] = 100;
	result.sweeps = 1000;
	for (unsigned j = 1; j <= n; j++) {
		result.ops[j].racing_reads = 5000;
		result.racing_reads += 5000;
	}
	return (struct mml_report){"vacuity", p, &config, &result};
}

static bool reason_is(const struct mml_report *rep, const char *want)
{
	char got[256];
	mml_report_inconclusive_reason(rep, got, sizeof got);
	if (strcmp(got, want) != 0)
		printf("# got '%s'\n# want '%s'\n", got, want);
	return strcmp(got, want) == 0;
}

static bool text_has(const struct mml_report *rep, const char *want)
{
	static char text[16384];
	FILE *out = fmemopen(text, sizeof text, "w");
	mml_report_text(out, rep);
	fclose(out);
	if (!strstr(text, want))
		printf("# the report has no '%s'\n", want);
	return strstr(text, want) != NULL;
}

static json_t *report_json(const struct mml_report *rep)
{
	static char text[65536];
	FILE *out = fmemopen(text, sizeof text, "w");
	int err = mml_report_json(out, rep);
	fclose(out);
	return err ? NULL : json_loads(text, 0, NULL);
}

static const char *const two_ops[] = {"mapfixed:0-8", "munmap:8-16"};

static void starved(void)
{
	struct mml_program p;
	struct mml_report rep = clean(&p, two_ops, 2);
	ok(mml_report_outcome(&rep) == MML_OUTCOME_NEVER, "every op raced: Never");

	result.ops[2].racing_reads = 312;
	ok(mml_report_outcome(&rep) == MML_OUTCOME_INCONCLUSIVE,
	   "one op of two below the threshold: Inconclusive, whatever the total");
	ok(reason_is(&rep, "op 2 munmap:8-16: 312 racing reads on its pages, "
			   "below the threshold of 1000"),
	   "the reason names the starved op and its count");
	ok(text_has(&rep, "  op 2 munmap:8-16: 312 racing reads on the pages it covers\n"),
	   "the text report has a line per op");

	result.ops[1].racing_reads = 0;
	ok(reason_is(&rep, "op 1 mapfixed:0-8:memfd: 0 racing reads on its pages, "
			   "below the threshold of 1000 (and 1 more op)"),
	   "the first starved op is named, and how many more there are");

	result.histogram[0] = 99;
	result.histogram[1u << MML_NEW_THEN_STALE] = 1;
	result.violation_iterations = 1;
	ok(mml_report_outcome(&rep) == MML_OUTCOME_SOMETIMES,
	   "a violation is Sometimes, starved op or not");
}

static const char *const with_collapse[] = {"mapfixed:0-8", "collapse"};

static void refused(void)
{
	struct mml_program p;
	struct mml_report rep = clean(&p, with_collapse, 2);
	result.ops[2].whole_range = true;
	result.ops[2].refusals = 40;
	result.ops[2].refusal = EINVAL;
	ok(mml_report_outcome(&rep) == MML_OUTCOME_NEVER,
	   "a best-effort op refused in some iterations only: Never");
	ok(text_has(&rep, "  op 2 collapse:0-16: 5,000 racing reads on its range (it covers "
			  "no page); refused by the kernel in 40 of 100 iterations, first: EINVAL\n"),
	   "the text report counts the refusals and names the first");

	result.ops[2].refusals = 100;
	ok(mml_report_outcome(&rep) == MML_OUTCOME_INCONCLUSIVE,
	   "refused in every iteration: Inconclusive, racing reads or not");
	ok(reason_is(&rep, "op 2 collapse:0-16 was refused by the kernel in every "
			   "iteration: EINVAL"),
	   "the reason names the refused op and the error");

	result.ops[2].racing_reads = 10;
	ok(reason_is(&rep, "op 2 collapse:0-16 was refused by the kernel in every "
			   "iteration: EINVAL"),
	   "a refusal is the reason before too few racing reads");
}

static bool per_op_is(const json_t *o, json_int_t op, const char *text,
		      json_int_t racing, const char *pages, json_int_t refusals,
		      const char *refusal)
{
	const json_t *why = json_object_get(o, "refusal");
	return json_integer_value(json_object_get(o, "op")) == op &&
	       strcmp(json_string_value(json_object_get(o, "text")), text) == 0 &&
	       json_integer_value(json_object_get(o, "racing_reads")) == racing &&
	       strcmp(json_string_value(json_object_get(o, "racing_pages")), pages) == 0 &&
	       json_integer_value(json_object_get(o, "refusals")) == refusals &&
	       (refusal ? json_is_string(why) && strcmp(json_string_value(why), refusal) == 0
			: json_is_null(why));
}

static void json(void)
{
	struct mml_program p;
	struct mml_report rep = clean(&p, with_collapse, 2);
	result.ops[1].racing_reads = 312;
	result.ops[2].whole_range = true;
	result.ops[2].refusals = 100;
	result.ops[2].refusal = EINVAL;
	json_t *doc = report_json(&rep);
	json_t *ops = json_object_get(doc, "per_op");
	ok(json_array_size(ops) == 2 &&
		   per_op_is(json_array_get(ops, 0), 1, "mapfixed:0-8:memfd", 312,
			     "covered", 0, NULL) &&
		   per_op_is(json_array_get(ops, 1), 2, "collapse:0-16", 5000, "range",
			     100, "EINVAL"),
	   "the JSON report has an entry per op with its counts");
	const char *reason = json_string_value(json_object_get(
		json_object_get(doc, "verdict"), "inconclusive_reason"));
	ok(reason && strstr(reason, "op 1 mapfixed:0-8:memfd: 312 racing reads") &&
		   strstr(reason, "(and 1 more op)"),
	   "and its inconclusive reason names the first op");
	json_decref(doc);
}

int main(void)
{
	counting();
	starved();
	refused();
	json();
	return tap_done();
}
