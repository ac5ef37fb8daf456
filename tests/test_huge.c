/* Litmus programs over large folios and huge pages on the running kernel,
 * one page order and backing per invocation: test_huge SCENARIO prints
 * TAP for that scenario alone.  Each runs mapfixed, munmap and dontneed
 * for about a second and trusts an answer only once the run proved that
 * the region was huge.  What the machine does not offer is set up as
 * --huge-setup would (root) and put back by a parent process that
 * outlives the runs, whatever happens to them; else the scenario skips. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "huge.h"
#include "hugesetup.h"
#include "ops.h"
#include "program.h"
#include "report.h"
#include "run.h"
#include "tap_report.h"
#include "tap.h"
#include "text.h"

enum { NOBODY = 65534 };

enum how {
	AS_IS,
	UNPRIVILEGED, /* as nobody: smaps is all it may read */
	THP_DISABLED, /* prctl(PR_SET_THP_DISABLE): the check must see base pages */
};

struct scenario {
	const char *name;
	unsigned seconds; /* its meson timeout (tests/meson.build reads it here) */
	enum mml_backing backing;
	unsigned order;
	uint32_t pages;
	enum how how;
};

static const struct scenario scenarios[] = {
	{"anon-thp", 60, MML_BACKING_ANON, 9, 1024, AS_IS},
	{"anon-mthp", 60, MML_BACKING_ANON, 4, 256, AS_IS},
	{"memfd-thp", 60, MML_BACKING_MEMFD, 9, 1024, AS_IS},
	{"memfd-mthp", 60, MML_BACKING_MEMFD, 4, 256, AS_IS},
	{"tmpfs-thp", 60, MML_BACKING_TMPFS, 9, 1024, AS_IS},
	{"hugetlb", 60, MML_BACKING_HUGETLB, 9, 1024, AS_IS},
	{"anon-thp-unprivileged", 60, MML_BACKING_ANON, 9, 1024, UNPRIVILEGED},
	{"anon-thp-disabled", 60, MML_BACKING_ANON, 9, 1024, THP_DISABLED},
};

static const char *const ops[] = {"mapfixed", "munmap", "dontneed"};
enum { NOPS = sizeof ops / sizeof *ops };

static pid_t child;

static unsigned ops_run(const struct scenario *s)
{
	return s->how == AS_IS ? NOPS : 1;
}

/* One op over the whole region; mapfixed maps the scenario's backing, so
 * that the new generation is as huge as the old. */
static void program(struct mml_program *p, const struct scenario *s,
		    const char *op)
{
	char spec[64];
	if (strcmp(op, "mapfixed") == 0)
		snprintf(spec, sizeof spec, "mapfixed:%s", mml_backing_name(s->backing));
	else
		snprintf(spec, sizeof spec, "%s", op);
	mml_program_classic(p);
	p->pages = s->pages;
	p->page_order = s->order;
	p->backing = s->backing;
	if (mml_op_parse(spec, p->pages, &p->ops[0])) {
		printf("Bail out! bad op %s\n", spec);
		exit(1);
	}
	p->readers[0] = (struct mml_reader){.order = MML_ORDER_PINGPONG, .cpu = 1};
}

/* NULL when every program of the scenario can run, after setting up what
 * is missing when we may; else why the scenario skips. */
static const char *prepare(const struct scenario *s)
{
	static char why[512];
	bool small = s->order != MML_MAX_PAGE_ORDER || s->how == THP_DISABLED;
	if (small && access("/proc/kpageflags", R_OK) != 0)
		return "not root: folios below 2 MiB, and their absence, show only in /proc/kpageflags";
	for (unsigned i = 0; i < ops_run(s); i++) {
		struct mml_program p;
		program(&p, s, ops[i]);
		const char *missing = mml_huge_unavailable(&p);
		if (missing && geteuid() != 0) {
			snprintf(why, sizeof why, "not root: %s", missing);
			return why;
		}
		if (missing && mml_huge_setup(&p, stderr, why, sizeof why))
			return why;
		missing = mml_huge_unavailable(&p);
		if (missing && s->backing == MML_BACKING_HUGETLB) {
			snprintf(why, sizeof why, "no hugetlb pages: %s", missing);
			return why;
		}
		if (missing)
			return missing;
	}
	return NULL;
}

static bool read_zeros(const struct mml_capture *c)
{
	for (unsigned i = 0; i < c->nreaders; i++)
		for (uint32_t k = 0; k < c->count[i]; k++)
			if (c->entries[(size_t)i * MML_TRACE_ENTRIES + k].value == MML_V_ZERO)
				return true;
	return false;
}

/* The answer means something about huge pages only if most blocks were;
 * as nobody, smaps has to tell. */
static void check_huge(const struct scenario *s, const char *op,
		       const struct mml_result *r)
{
	char what[192];
	bool told = s->how == UNPRIVILEGED ? r->huge.method == MML_HUGE_SMAPS
					   : r->huge.method == MML_HUGE_PAGEMAP ||
						     r->huge.method == MML_HUGE_SMAPS;
	bool huge = told && r->huge.mapped > 0 && 2 * r->huge.mapped >= r->huge.blocks;
	snprintf(what, sizeof what, "%s: %llu of %llu blocks were folios of order %u or more (%s)",
		 op, (unsigned long long)r->huge.mapped, (unsigned long long)r->huge.blocks,
		 s->order, mml_huge_method_name(r->huge.method));
	ok(huge, what);
}

/* What each op must show over huge pages, beyond "no finding". */
static void check_values(const struct scenario *s, const char *op,
			 const struct mml_config *config, const struct mml_result *r,
			 enum mml_outcome o, const struct mml_capture *c)
{
	char what[192];
	bool anon = s->backing == MML_BACKING_ANON;
	if (strcmp(op, "mapfixed") == 0) {
		ok(mml_result_violations(r) == 0, "mapfixed: no violation at all");
		snprintf(what, sizeof what, "mapfixed: Never (%s)", mml_outcome_name(o));
		tap_never(what, config, r, o);
	} else if (strcmp(op, "munmap") == 0) {
		snprintf(what, sizeof what, "munmap: the pages read as holes (%llu holes)",
			 (unsigned long long)r->holes);
		ok(r->holes > 0, what);
	} else if (anon) {
		ok(read_zeros(c), "dontneed on private anonymous memory: the pages read as zeros");
	} else {
		ok(mml_result_violations(r) == 0 && !read_zeros(c),
		   "dontneed on shared memory: the file's pages again, no violation, no zeros");
	}
}

/* The run that asked for huge pages and got base pages must say so, and
 * not answer Never. */
static void check_base_pages(const struct mml_result *r, enum mml_outcome o)
{
	char what[192];
	snprintf(what, sizeof what, "with THP disabled the check saw no huge folio "
		 "(%llu of %llu blocks, %s)", (unsigned long long)r->huge.mapped,
		 (unsigned long long)r->huge.blocks, mml_huge_method_name(r->huge.method));
	ok(r->huge.method != MML_HUGE_UNVERIFIED && r->huge.blocks > 0 && r->huge.mapped == 0,
	   what);
	snprintf(what, sizeof what, "and the answer is Inconclusive, not Never (%s)",
		 mml_outcome_name(o));
	ok(o == MML_OUTCOME_INCONCLUSIVE, what);
}

static void run_op(const struct scenario *s, const char *op)
{
	struct mml_program p;
	struct mml_result r;
	struct mml_capture capture;
	program(&p, s, op);
	if (mml_capture_init(&capture)) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	struct mml_config c = {.seconds = 1, .seed = 1, .evidence = 3,
			       .min_racing = 1000, .capture = &capture};
	if (mml_run(&p, &c, &r)) {
		printf("Bail out! %s %s: %s\n", s->name, op, r.error);
		exit(1);
	}
	tap_report(op, &p, &c, &r);
	struct mml_report rep = {op, &p, &c, &r};
	char what[128];
	snprintf(what, sizeof what, "%s: no finding in %llu iterations", op,
		 (unsigned long long)r.iterations);
	ok(mml_result_findings(&r) == 0 && r.iterations > 0, what);
	if (s->how == THP_DISABLED) {
		check_base_pages(&r, mml_report_outcome(&rep));
	} else {
		check_huge(s, op, &r);
		check_values(s, op, &c, &r, mml_report_outcome(&rep), &capture);
	}
	mml_capture_free(&capture);
}

/* nobody, as a user without privileges would run it: dumpable again after
 * the change of credentials, so that /proc/self/pagemap opens and hides
 * its PFNs, as it does for such a user. */
static void drop_privileges(void)
{
	if (geteuid() != 0)
		return;
	if (setgid(NOBODY) || setuid(NOBODY) || prctl(PR_SET_DUMPABLE, 1)) {
		printf("Bail out! cannot become nobody\n");
		exit(1);
	}
}

static int run_scenario(const struct scenario *s)
{
	if (s->how == UNPRIVILEGED)
		drop_privileges();
	if (s->how == THP_DISABLED && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)) {
		printf("Bail out! PR_SET_THP_DISABLE refused\n");
		return 1;
	}
	for (unsigned i = 0; i < ops_run(s); i++)
		run_op(s, ops[i]);
	return tap_done();
}

static void on_signal(int sig)
{
	mml_huge_restore();
	if (child > 0)
		kill(child, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The runs go in a child; the settings go back in the parent, after the
 * child ended however it did, or when the harness kills the test. */
static int run_and_restore(const struct scenario *s)
{
	fflush(stdout);
	child = fork();
	if (child == 0)
		_exit(run_scenario(s));
	int status = 1;
	if (child < 0 || waitpid(child, &status, 0) < 0)
		status = 1;
	mml_huge_restore();
	if (WIFSIGNALED(status))
		printf("Bail out! the runs died of signal %d\n", WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int cpu_count(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 1;
	return CPU_COUNT(&set);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
		const struct scenario *s = &scenarios[i];
		if (strcmp(s->name, name) != 0)
			continue;
		if (cpu_count() < 2) {
			return tap_skip_all("needs two CPUs for the reader to race the mapper");
		}
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		const char *why = prepare(s);
		if (why) {
			mml_huge_restore();
			return tap_skip_all(why);
		}
		return run_and_restore(s);
	}
	printf("Bail out! unknown scenario '%s'\n", name);
	return 1;
}
