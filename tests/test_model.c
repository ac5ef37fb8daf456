/* The streaming oracle proven against the reference checker on the kernel
 * model's traces (src/model.h):
 *
 * - soundness, zero tolerance: no legal trace gets a finding, and no
 *   trace the oracle calls a finding (or a violation) is consistent with
 *   the policies (or with atomic ops) by the reference;
 * - completeness: every trace the reference calls inconsistent gets a
 *   violation from the oracle, or falls in one of the named gaps
 *   (doc/oracle.md, "What the streaming oracle gives up"), whose counts
 *   are printed.
 *
 * Exhaustive where it can be: every sequence of the model's choices for
 * every one-op program of up to 2 pages; then seeded random programs of
 * up to 4 pages and 3 ops, with one reader or two that share what they
 * learn.  Output is TAP. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "checker.h"
#include "history.h"
#include "model.h"
#include "ops.h"
#include "oracle_fixture.h"
#include "text.h"

enum {
	CHOICES = 64,      /* enough for any execution of a small program */
	RANDOM_PROGRAMS = 20000,
	TRACES_PER_PROGRAM = 60,
};

struct tally {
	uint64_t traces, faults, findings, violations;
	uint64_t missed_finding[MML_GAP_COUNT], missed_violation[MML_GAP_COUNT];
	unsigned shown;
};

static void show_trace(const struct mml_program *p,
		       const struct mml_check_read *reads, unsigned n)
{
	printf("#   program: %u pages, backing %s;", p->pages,
	       mml_backing_name(p->backing));
	for (unsigned j = 0; j < p->nops; j++) {
		char spec[64];
		mml_op_format(&p->ops[j], spec, sizeof spec);
		printf(" op %u %s;", j + 1, spec);
	}
	printf("\n");
	for (unsigned i = 0; i < n; i++)
		printf("#   reader %u page %u value %u before %u after %u learned-from %d\n",
		       reads[i].reader, reads[i].page, reads[i].value,
		       reads[i].before, reads[i].after, reads[i].after_read);
}

/* Judges one trace; legal says the model made it obeying the policies. */
static void judge(struct tally *t, const struct mml_program *p,
		  const struct mml_history *h, const struct mml_check_read *reads,
		  unsigned n, bool legal)
{
	struct mml_model_verdict v;
	enum mml_model_gap mf, mv;
	mml_model_judge(p, h, reads, n, &v);
	enum mml_model_fault fault = mml_model_compare(p, h, reads, n, &v, &mf, &mv);
	if (legal && v.finding)
		fault = MML_FAULT_FALSE_FINDING;
	if (legal && v.answer[MML_MODEL_POLICY] != MML_CHECK_CONSISTENT) {
		printf("# the reference rejects a legal trace\n");
		fault = MML_FAULT_UNDECIDED;
	}
	t->traces++;
	t->findings += v.finding;
	t->violations += v.violation;
	t->missed_finding[mf]++;
	t->missed_violation[mv]++;
	if ((mf == MML_GAP_UNNAMED || mv == MML_GAP_UNNAMED) && t->shown++ < 3) {
		printf("# a miss in no named gap\n");
		show_trace(p, reads, n);
	}
	if (fault == MML_FAULT_NONE)
		return;
	t->faults++;
	if (t->shown++ < 3) {
		printf("# fault: %s\n", mml_model_fault_name(fault));
		show_trace(p, reads, n);
	}
}

/* The cheap judgement of the exhaustive part: the oracle must find
 * nothing, and the reference must agree that the trace is legal. */
static void judge_legal(struct tally *t, const struct mml_program *p,
			const struct mml_history *h,
			const struct mml_check_read *reads, unsigned n)
{
	struct mml_model_verdict v;
	mml_model_oracle(p, h, reads, n, &v);
	struct mml_check_trace ct = {p, h, reads, n};
	bool consistent = mml_check(&ct, MML_MODEL_POLICY, 100000, NULL) ==
			  MML_CHECK_CONSISTENT;
	t->traces++;
	t->violations += v.violation;
	if (!v.finding && consistent)
		return;
	t->faults++;
	if (t->shown++ < 3) {
		printf("# fault: %s\n", v.finding ? "a finding in a legal trace"
						  : "the reference rejects a legal trace");
		show_trace(p, reads, n);
	}
}

static bool build(const struct mml_program *p, struct mml_history *h)
{
	if (mml_history_build(h, p) == 0)
		return true;
	printf("# out of memory\n");
	return false;
}

/* Steps the choices to the next sequence, as an odometer whose digits
 * have the ranges the last execution recorded; false after the last. */
static bool next_choices(uint8_t *digits, const uint8_t *ranges, size_t used)
{
	for (size_t i = used; i-- > 0;) {
		memset(digits + i + 1, 0, CHOICES - i - 1);
		if (digits[i] + 1 < ranges[i]) {
			digits[i]++;
			return true;
		}
	}
	return false;
}

/* Many executions make the same trace: each is judged once.  A read of
 * a small program packs into 16 bits, three reads into one key. */
enum { SET_SLOTS = 1u << 16 };

static uint64_t trace_key(const struct mml_check_read *reads, unsigned n)
{
	uint64_t key = 1;
	for (unsigned i = 0; i < n; i++)
		key = key << 16 | (uint64_t)reads[i].page << 14 |
		      (uint64_t)reads[i].value << 6 | reads[i].before << 3 |
		      reads[i].after;
	return key;
}

static bool first_time(uint64_t *set, uint64_t key)
{
	size_t k = (key * 0x9E3779B97F4A7C15ull) >> 48;
	for (; set[k]; k = (k + 1) % SET_SLOTS)
		if (set[k] == key)
			return false;
	set[k] = key;
	return true;
}

/* Every legal single-reader execution of the program, of 3 reads. */
static void enumerate_legal(struct tally *t, const struct mml_program *p,
			    const struct mml_history *h, uint64_t *set)
{
	uint8_t digits[CHOICES] = {0}, ranges[CHOICES];
	struct mml_check_read reads[MML_MODEL_MAX_READS];
	memset(set, 0, sizeof *set * SET_SLOTS);
	do {
		struct mml_chooser c = {digits, CHOICES, 0, 0, ranges};
		unsigned n = mml_model_legal_trace(&c, p, h, 1, 3, reads);
		if (first_time(set, trace_key(reads, n)))
			judge_legal(t, p, h, reads, n);
		if (c.at >= CHOICES)
			break;
		if (!next_choices(digits, ranges, c.at))
			break;
	} while (true);
}

/* The program's text, to tell draws of the same program apart. */
static void program_text(const struct mml_program *p, char *buf, size_t len)
{
	int at = snprintf(buf, len, "%u %d", p->pages, p->backing);
	for (unsigned j = 0; j < p->nops && at > 0 && (size_t)at < len; j++) {
		char spec[64];
		mml_op_format(&p->ops[j], spec, sizeof spec);
		at += snprintf(buf + at, len - (size_t)at, " %s", spec);
	}
}

/* Every one-op program of 1 or 2 pages, each op kind and range. */
static bool t_exhaustive_one_op(void)
{
	static uint64_t set[SET_SLOTS];
	static char seen[1024][96];
	struct tally t = {0};
	uint8_t digits[CHOICES] = {0}, ranges[CHOICES];
	unsigned programs = 0;
	do {
		struct mml_chooser c = {digits, CHOICES, 0, 0, ranges};
		struct mml_program p;
		bool valid = mml_model_program(&c, 2, 1, &p);
		size_t used = c.at;
		char text[96];
		program_text(&p, text, sizeof text);
		bool fresh = valid && p.nops == 1 && p.pages <= 2 && programs < 1024;
		for (unsigned i = 0; fresh && i < programs; i++)
			fresh = strcmp(seen[i], text) != 0;
		if (fresh) {
			struct mml_history h;
			if (!build(&p, &h))
				return false;
			strcpy(seen[programs++], text);
			enumerate_legal(&t, &p, &h, set);
			mml_history_free(&h);
		}
		if (!next_choices(digits, ranges, used))
			break;
	} while (true);
	printf("# %u programs, %" PRIu64 " legal traces, %" PRIu64 " with an expected violation\n",
	       programs, t.traces, t.violations);
	return check(programs > 50, "every op kind and range") &&
	       check_int((long long)t.faults, 0, "faults");
}

static void report_gaps(const char *what, const uint64_t *gaps)
{
	for (int g = MML_GAP_NONE + 1; g < MML_GAP_COUNT; g++)
		if (gaps[g])
			printf("# missed %s, %s: %" PRIu64 "\n", what,
			       mml_model_gap_name((enum mml_model_gap)g), gaps[g]);
}

/* Random programs, legal traces of one or two readers and arbitrary traces
 * of one. */
static bool t_random(void)
{
	struct tally legal = {0}, any = {0};
	struct mml_chooser c = {.rng = 20261201};
	unsigned programs = 0;
	while (programs < RANDOM_PROGRAMS) {
		struct mml_program p;
		if (!mml_model_program(&c, MML_MODEL_MAX_PAGES, MML_MODEL_MAX_OPS, &p))
			continue;
		struct mml_history h;
		if (!build(&p, &h))
			return false;
		programs++;
		struct mml_check_read reads[MML_MODEL_MAX_READS];
		for (int i = 0; i < TRACES_PER_PROGRAM; i++) {
			unsigned readers = 1 + (unsigned)(i % 2);
			unsigned n = mml_model_legal_trace(&c, &p, &h, readers,
							   MML_MODEL_MAX_READS, reads);
			judge(&legal, &p, &h, reads, n, true);
			n = mml_model_any_trace(&c, &p, &h, reads);
			judge(&any, &p, &h, reads, n, false);
		}
		mml_history_free(&h);
	}
	printf("# %u programs; legal: %" PRIu64 " traces, %" PRIu64 " with a violation;"
	       " arbitrary: %" PRIu64 " traces, %" PRIu64 " findings, %" PRIu64 " violations\n",
	       programs, legal.traces, legal.violations, any.traces, any.findings,
	       any.violations);
	report_gaps("finding", any.missed_finding);
	report_gaps("violation", any.missed_violation);
	report_gaps("finding (legal traces)", legal.missed_finding);
	uint64_t unnamed = any.missed_finding[MML_GAP_UNNAMED] +
			   any.missed_violation[MML_GAP_UNNAMED];
	bool good = check_int((long long)legal.faults, 0, "faults in legal traces");
	good &= check_int((long long)any.faults, 0, "faults in arbitrary traces");
	good &= check(any.findings > 0 && any.violations > any.findings,
		      "arbitrary traces reach findings and expected violations");
	good &= check_int((long long)unnamed, 0, "misses outside the named gaps");
	return good;
}

/* Programs whose values are ambiguous in the ways the oracle's bounds are
 * about, each with many legal traces: the random draw above meets any
 * one of them rarely. */
static const char *const ambiguous_programs[][4] = {
	{"anon", "dontneed:0-2", "munmap:0-2", "mprotect:0-2:read"},
	{"memfd", "shrink:0-2", "mprotect:0-2:none", "mprotect:0-2:read"},
	{"anon", "free:0-1", "dontneed:0-2", "munmap:1-2"},
	{"memfd", "piecewise:0-2", "mprotect:0-2:none", "mprotect:0-2:read"},
	{"anon", "munmap:0-2", "mprotect:0-2:read", "dontneed:0-2"},
	{"memfd", "mapfixed:1-2:anon", "mprotect:0-2:none", "mprotect:0-2:read"},
};

enum { AMBIGUOUS_TRACES = 40000 };

static bool ambiguous_program(const char *const *text, struct mml_program *p)
{
	mml_program_classic(p);
	p->pages = 2;
	if (mml_backing_parse(text[0], &p->backing) < 0)
		return false;
	p->nops = 3;
	for (unsigned j = 0; j < 3; j++)
		if (mml_op_parse(text[j + 1], p->pages, &p->ops[j]) < 0)
			return false;
	return check(mml_program_check(p) == NULL, text[1]);
}

static bool t_ambiguous(void)
{
	struct tally t = {0};
	struct mml_chooser c = {.rng = 7};
	unsigned n = sizeof ambiguous_programs / sizeof ambiguous_programs[0];
	for (unsigned i = 0; i < n; i++) {
		struct mml_program p;
		struct mml_history h;
		if (!ambiguous_program(ambiguous_programs[i], &p) || !build(&p, &h))
			return false;
		struct mml_check_read reads[MML_MODEL_MAX_READS];
		for (int k = 0; k < AMBIGUOUS_TRACES; k++) {
			unsigned readers = 1 + (unsigned)(k % 2);
			unsigned nreads = 3 + (unsigned)(k % 4);
			unsigned got = mml_model_legal_trace(&c, &p, &h, readers,
							     nreads * readers, reads);
			judge_legal(&t, &p, &h, reads, got);
		}
		mml_history_free(&h);
	}
	printf("# %u programs, %" PRIu64 " legal traces, %" PRIu64 " with an expected violation\n",
	       n, t.traces, t.violations);
	return check_int((long long)t.faults, 0, "faults");
}

static const struct scenario scenarios[] = {
	{"ambiguous values: many executions of six programs, no finding",
	 t_ambiguous},
	{"every execution of every one-op program on 2 pages: no finding",
	 t_exhaustive_one_op},
	{"random programs: sound, and complete but for the named gaps", t_random},
};

int main(void)
{
	return run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0]);
}
