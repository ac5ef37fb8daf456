/* mmlitmus: run one litmus test and answer whether the mapping change was
 * atomic as the readers saw it.  Exit 0: no finding; 1: a finding under the
 * ops' policy; 2: bad usage or an environment that cannot run the test. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "crew.h"
#include "encoding.h"
#include "execution.h"
#include "hugesetup.h"
#include "json.h"
#include "ops.h"
#include "plot.h"
#include "program.h"
#include "report.h"
#include "run.h"
#include "stress.h"
#include "survey.h"
#include "text.h"
#include "triage.h"

#define VERSION "0.1"

enum { EXIT_CLEAN = 0, EXIT_FINDING = 1, EXIT_USAGE = 2, EXIT_DISAGREEMENT = 3 };

static const char usage[] =
"Usage: mmlitmus [run] [OPTION]... [FILE]\n"
"       mmlitmus decode FILE\n"
"       mmlitmus encode [-o OUT] FILE\n"
"       mmlitmus replay [--kernel LIST] [-n RUNS] [--first] [--seed N]\n"
"                       [--json] [--plot OUT.svg] [--huge-setup] FILE\n"
"       mmlitmus survey [--kernels LIST] [OPTION]...\n"
"       mmlitmus triage [-n RUNS] [--budget S] [--json] [--minimize [--add]]\n"
"                       [-o DIR] DIR|FILE...\n"
"       mmlitmus stress [-s S] [-j N] [-n N] [-o DIR] [--seed N]\n"
"                       [--stop-on-finding] [--dry-run]\n"
"Run a litmus test: a mapper thread changes the mapping of a region while\n"
"reader threads read it; report whether any reader saw the change happen\n"
"non-atomically (new-then-stale and the other classes of doc/oracle.md).\n"
"With no options: the classic test (16 pages of a memfd, one reader, mmap\n"
"MAP_FIXED of another memfd over it) for 5 seconds.  FILE holds a program\n"
"in the text form (.litmus) or the binary form (a fuzzer's input); then the\n"
"program flags below are not allowed.\n"
"\n"
"Commands:\n"
"  run                    run a test (the default)\n"
"  decode FILE            print the program a binary input decodes to, in\n"
"                         the text form\n"
"  encode FILE            write the canonical binary form of a program (text\n"
"                         or binary) to OUT (-o) or to stdout\n"
"  replay FILE            run the program as a fuzz target does (its repeat\n"
"                         iterations within MMLITMUS_MAX_MS) RUNS times (-n,\n"
"                         default 20), or until it fires with --first; print\n"
"                         the reproduction rate and the first firing's\n"
"                         report; exit 1 when it fired\n"
"  survey                 run the answers matrix: every op, backing, page\n"
"                         order and read order this machine supports, each\n"
"                         cell for an even share of one time budget; print\n"
"                         the table in Markdown (see Survey below)\n"
"  triage DIR|FILE...     group crash files (libFuzzer artifacts, AFL++\n"
"                         crashes/ or sync directories, single files) by\n"
"                         signature, replay the smallest of each group for a\n"
"                         rate and print one table (see Triage below)\n"
"  stress                 run random programs drawn from a seed as the fuzz\n"
"                         targets run inputs (the same decoder, caps and\n"
"                         MMLITMUS_OPS), in worker processes; save each\n"
"                         program that fires in the binary form; exit 1\n"
"                         when one fired (see Stress below)\n"
"\n"
"Program:\n"
"  -o, --op SPEC          add an op to the mapper's list, in order (repeat the\n"
"                         flag for more); default: mapfixed.  SPEC is\n"
"                         KIND[:LO-HI][:PARAM]..., the range defaults to the\n"
"                         whole region.  KIND and PARAM (BACKING is memfd,\n"
"                         the default, tmpfs, anon or hugetlb):\n"
"                           mapfixed[:BACKING][:populate][:locked]\n"
"                                          mmap MAP_FIXED (atomic)\n"
"                           munmap         (not atomic)\n"
"                           mremap[:BACKING][:pte|pmd|pud][:dontunmap]\n"
"                                          MREMAP_FIXED from a source aligned\n"
"                                          as named (atomic)\n"
"                           grow[:BACKING][:pte|pmd|pud]  mremap of the first\n"
"                                          half, grown to the range (atomic)\n"
"                           shrink         mremap in place to the first folio\n"
"                                          (not atomic)\n"
"                           dontneed       MADV_DONTNEED (not atomic)\n"
"                           free           MADV_FREE, anon (not atomic)\n"
"                           remove         MADV_REMOVE, shared (not atomic)\n"
"                           pageout, collapse  MADV_PAGEOUT, MADV_COLLAPSE\n"
"                                          (nothing visible may change)\n"
"                           mlock, migrate mlock, move_pages (likewise)\n"
"                           truncate, punch  ftruncate to LO, hole punch of\n"
"                                          generation 0's file (not atomic)\n"
"                           mprotect[:none|read]  (atomic within a VMA)\n"
"                           piecewise[:BACKING][:asc|desc]  folio-by-folio\n"
"                                          control\n"
"  -b, --backing KIND     generation 0's backing: memfd (default), tmpfs, anon,\n"
"                         hugetlb (2 MiB pages, page order 9)\n"
"  -p, --pages N          region size in 4 KiB pages (default 16, and at\n"
"                         least two folios of the page order)\n"
"      --page-order N     folios of 2^N pages, 0 to 9 (9 is 2 MiB; default 0,\n"
"                         9 with -b hugetlb): anonymous and shared memory ask\n"
"                         for them (MADV_HUGEPAGE), the run refuses a machine\n"
"                         that does not offer them and checks that the\n"
"                         region got them\n"
"      --no-populate      let the readers fault generation 0 in\n"
"  -r, --readers N        reader threads (default 1, at most 64)\n"
"      --read-order LIST  comma-separated, one per reader, the last repeats:\n"
"                         asc (default), desc, random (a new permutation\n"
"                         every iteration, from the seed), stride:S,\n"
"                         pingpong (both ends inwards), single:P\n"
"      --share            readers share what they learn (doc/oracle.md)\n"
"      --write            readers also store into each page they read; what\n"
"                         the stores left in the backing files is checked\n"
"                         after every iteration (lost writes)\n"
"      --reader-yield N   a reader calls sched_yield every N reads (0: never)\n"
"      --perturb KIND     a thread doing unrelated mm work while the ops run:\n"
"                         none (default), fork (fork a child that writes a\n"
"                         page and exits), mmap (map and unmap elsewhere)\n"
"      --delay KIND[:N]   before each op: none (default), spin[:N] (up to N\n"
"                         pauses), yield, sleep[:NS] (up to NS nanoseconds);\n"
"                         amounts are drawn from the seed\n"
"\n"
"Placement (default: mapper on the first CPU, readers round-robin on the others):\n"
"      --mapper-cpu N     pin the mapper to CPU N\n"
"      --pin LIST         pin the readers to these CPUs, comma-separated, the\n"
"                         list repeats\n"
"      --no-pin           pin no thread\n"
"\n"
"Run:\n"
"  -s, --seconds S        run for S seconds (default 5 unless -n is given)\n"
"  -n, --iterations N     run N iterations\n"
"      --seed N           schedule seed (default: from the clock; always printed)\n"
"      --stop-on-finding  stop after the first iteration with a finding\n"
"      --stop-on-violation  stop after the first iteration with any violation,\n"
"                         expected ones too (time to detect)\n"
"      --min-racing N     racing reads each op needs for a Never, else\n"
"                         Inconclusive (default 1000)\n"
"      --huge-setup       as root: turn on what the program's huge pages need\n"
"                         (mTHP and shmem settings, hugetlb pages, a tmpfs\n"
"                         with huge=advise) and put it back on exit\n"
"\n"
"Output:\n"
"      --name NAME        test name in the report (default: the op kinds)\n"
"      --evidence N       violations reported with full evidence (default 3,\n"
"                         at most 16; as many expected ones again, and the\n"
"                         first of every other class; 0: none)\n"
"      --json             one JSON object instead of the text report\n"
"      --no-progress      no progress line on stderr\n"
"      --plot FILE.svg    with run and replay: draw the first iteration that\n"
"                         fired (else the last): reads by page and time, the\n"
"                         ops, the violation's two reads marked\n"
"  -h, --help             this text\n"
"      --version          the version\n"
"\n"
"Replay:\n"
"  -n, --runs RUNS        with replay: RUNS executions (default 20)\n"
"      --first            with replay: stop at the first that fires (then\n"
"                         the count is no rate)\n"
"      --json             with replay: the rate and the report as one JSON\n"
"                         object (doc/replay.schema.json)\n"
"      --huge-setup       with replay: as for run\n"
"      --kernel LIST      with replay: replay in each kernel of LIST under\n"
"                         qemu (6.1, 6.1-rt, 6.12, a bzImage or vmlinux of\n"
"                         one's own, host; see doc/kernels.md)\n"
"  -o, --output OUT       with encode: the file to write\n"
"\n"
"Survey (and --seed, default 1, --min-racing, --no-progress as above):\n"
"      --budget S         seconds for the whole survey (default 480), split\n"
"                         evenly over the cells that run and their controls\n"
"                         (piecewise in the row's op's place: a quarter of\n"
"                         a cell each)\n"
"      --cell-seconds S   seconds for each cell instead of a budget, and a\n"
"                         quarter of that for its control\n"
"      --ops LIST         rows to run, comma-separated (default all):\n"
"                         mapfixed, munmap, mremap, dontneed, mprotect,\n"
"                         mprotect-vmas, piecewise, shrink, grow, truncate,\n"
"                         punch, free, pageout, collapse, remove, mlock,\n"
"                         migrate\n"
"      --backings LIST    memfd, tmpfs, anon, hugetlb (default all)\n"
"      --page-orders LIST page orders 0-9 (default 0, 9 and every order\n"
"                         this machine enables THP for)\n"
"      --read-orders LIST asc, desc, random, pingpong (default all four)\n"
"      --markdown FILE    write the table to FILE instead of stdout\n"
"      --json-file FILE   also write every cell's numbers to FILE as JSON\n"
"      --evidence-dir DIR where each cell with a violation leaves its program\n"
"                         (NAME.bin) and a picture of its first such\n"
"                         iteration (NAME.svg); default: FILE of --json-file\n"
"                         without .json, and -evidence\n"
"      --kernels LIST     run the survey in each kernel of LIST under qemu\n"
"                         (names as for --kernel) and merge the tables: a\n"
"                         column per kernel\n"
"\n"
"Triage (and -n, --runs RUNS as for replay, --json as above):\n"
"      --budget S         seconds for all replays (default 600); the groups\n"
"                         with the most files go first\n"
"      --minimize         run mmlitmus-minimize on each group that fired,\n"
"                         writing DIR/NAME.bin (NAME: the corpus name)\n"
"      --add              then hand each minimized program to\n"
"                         mmlitmus-corpus-add as NAME\n"
"  -o, --output DIR       with triage: where minimized programs go (default\n"
"                         triage-out)\n"
"\n"
"Stress (and --seed, default from the clock, --no-progress as above):\n"
"  -s, --seconds S        run for S seconds (default 60)\n"
"  -j, --jobs N           worker processes (default half the CPUs, at least\n"
"                         1); worker W draws the same programs for the same\n"
"                         seed whatever N is\n"
"  -n, --programs N       at most N programs a worker (default no limit)\n"
"  -o, --output DIR       where firing programs are saved, named\n"
"                         crash-SEED-WORKER-PROGRAM (default stress-out)\n"
"      --stop-on-finding  stop every worker once a program fired\n"
"      --dry-run          print each worker's first N programs (-n, default\n"
"                         10) in the text form and run none\n"
"\n"
"Exit status: 0 no finding, 1 a finding (a violation the op's policy\n"
"forbids; for replay: the program fired; for triage: a group is a\n"
"confirmed finding), 2 bad usage or an environment error, 3 the streaming\n"
"oracle and the reference checker disagree (a bug of mmlitmus).\n";

enum {
	OPT_NO_POPULATE = 256, OPT_READ_ORDER, OPT_SHARE, OPT_WRITE, OPT_READER_YIELD,
	OPT_DELAY, OPT_MAPPER_CPU, OPT_PIN, OPT_NO_PIN, OPT_SEED,
	OPT_STOP_ON_FINDING, OPT_STOP_ON_VIOLATION, OPT_MIN_RACING, OPT_NAME, OPT_EVIDENCE, OPT_JSON,
	OPT_NO_PROGRESS, OPT_VERSION, OPT_FIRST, OPT_PLOT, OPT_PERTURB,
	OPT_BUDGET, OPT_CELL_SECONDS, OPT_OPS, OPT_BACKINGS, OPT_PAGE_ORDERS,
	OPT_READ_ORDERS, OPT_MARKDOWN, OPT_JSON_FILE, OPT_PAGE_ORDER, OPT_HUGE_SETUP,
	OPT_MINIMIZE, OPT_ADD, OPT_DRY_RUN, OPT_EVIDENCE_DIR,
};

static const struct option options[] = {
	{"op", required_argument, NULL, 'o'},
	{"backing", required_argument, NULL, 'b'},
	{"pages", required_argument, NULL, 'p'},
	{"page-order", required_argument, NULL, OPT_PAGE_ORDER},
	{"no-populate", no_argument, NULL, OPT_NO_POPULATE},
	{"readers", required_argument, NULL, 'r'},
	{"read-order", required_argument, NULL, OPT_READ_ORDER},
	{"share", no_argument, NULL, OPT_SHARE},
	{"write", no_argument, NULL, OPT_WRITE},
	{"reader-yield", required_argument, NULL, OPT_READER_YIELD},
	{"perturb", required_argument, NULL, OPT_PERTURB},
	{"delay", required_argument, NULL, OPT_DELAY},
	{"mapper-cpu", required_argument, NULL, OPT_MAPPER_CPU},
	{"pin", required_argument, NULL, OPT_PIN},
	{"no-pin", no_argument, NULL, OPT_NO_PIN},
	{"seconds", required_argument, NULL, 's'},
	{"iterations", required_argument, NULL, 'n'},
	{"seed", required_argument, NULL, OPT_SEED},
	{"stop-on-finding", no_argument, NULL, OPT_STOP_ON_FINDING},
	{"stop-on-violation", no_argument, NULL, OPT_STOP_ON_VIOLATION},
	{"min-racing", required_argument, NULL, OPT_MIN_RACING},
	{"huge-setup", no_argument, NULL, OPT_HUGE_SETUP},
	{"name", required_argument, NULL, OPT_NAME},
	{"evidence", required_argument, NULL, OPT_EVIDENCE},
	{"json", no_argument, NULL, OPT_JSON},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{"plot", required_argument, NULL, OPT_PLOT},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

static const struct option replay_options[] = {
	{"runs", required_argument, NULL, 'n'},
	{"json", no_argument, NULL, OPT_JSON},
	{"first", no_argument, NULL, OPT_FIRST},
	{"seed", required_argument, NULL, OPT_SEED},
	{"plot", required_argument, NULL, OPT_PLOT},
	{"huge-setup", no_argument, NULL, OPT_HUGE_SETUP},
	{NULL, 0, NULL, 0},
};

static const struct option encode_options[] = {
	{"output", required_argument, NULL, 'o'},
	{NULL, 0, NULL, 0},
};

static const struct option survey_options[] = {
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"cell-seconds", required_argument, NULL, OPT_CELL_SECONDS},
	{"ops", required_argument, NULL, OPT_OPS},
	{"backings", required_argument, NULL, OPT_BACKINGS},
	{"page-orders", required_argument, NULL, OPT_PAGE_ORDERS},
	{"read-orders", required_argument, NULL, OPT_READ_ORDERS},
	{"markdown", required_argument, NULL, OPT_MARKDOWN},
	{"json-file", required_argument, NULL, OPT_JSON_FILE},
	{"evidence-dir", required_argument, NULL, OPT_EVIDENCE_DIR},
	{"seed", required_argument, NULL, OPT_SEED},
	{"min-racing", required_argument, NULL, OPT_MIN_RACING},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{NULL, 0, NULL, 0},
};

static const struct option triage_options[] = {
	{"runs", required_argument, NULL, 'n'},
	{"budget", required_argument, NULL, OPT_BUDGET},
	{"json", no_argument, NULL, OPT_JSON},
	{"minimize", no_argument, NULL, OPT_MINIMIZE},
	{"add", no_argument, NULL, OPT_ADD},
	{"output", required_argument, NULL, 'o'},
	{NULL, 0, NULL, 0},
};

static const struct option stress_options[] = {
	{"seconds", required_argument, NULL, 's'},
	{"jobs", required_argument, NULL, 'j'},
	{"programs", required_argument, NULL, 'n'},
	{"output", required_argument, NULL, 'o'},
	{"seed", required_argument, NULL, OPT_SEED},
	{"stop-on-finding", no_argument, NULL, OPT_STOP_ON_FINDING},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
	{NULL, 0, NULL, 0},
};

static const struct option no_options[] = {
	{NULL, 0, NULL, 0},
};

/* Everything the flags say, before it becomes a program. */
struct cli {
	struct mml_program program;
	struct mml_config config;
	const char *ops[MML_MAX_OPS];
	unsigned nops;
	const char *read_orders, *pins, *name, *file, *plot;
	int mapper_cpu;
	unsigned page_order;
	bool page_order_given, pages_given, huge_setup;
	bool no_pin, json, progress, seconds_given;
	bool program_flags; /* a flag that shapes the program was given */
};

static volatile sig_atomic_t stop_requested;

/* The first signal ends the run after the current iteration; a second
 * ends the process at once, with what --huge-setup changed put back. */
static void on_stop(int sig)
{
	if (!stop_requested) {
		stop_requested = 1;
		return;
	}
	mml_huge_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_stop_signals(void)
{
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_stop);
}

/* One line on stderr, then exit 2. */
static void __attribute__((noreturn))
error_exit(const char *tail, const char *fmt, va_list ap)
{
	fputs("mmlitmus: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(tail, stderr);
	exit(EXIT_USAGE);
}

static void __attribute__((format(printf, 1, 2), noreturn))
usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_exit(" (see mmlitmus --help)\n", fmt, ap);
}

/* An environment or file error. */
static void __attribute__((format(printf, 1, 2), noreturn))
fail_exit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_exit("\n", fmt, ap);
}

static uint64_t parse_number(const char *flag, const char *s, uint64_t max)
{
	uint64_t v;
	if (mml_parse_number(s, max, &v))
		usage_error("%s: '%s' is not a number from 0 to %" PRIu64, flag, s, max);
	return v;
}

static double parse_seconds(const char *flag, const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno || !(v > 0) || v > 1e7)
		usage_error("%s: '%s' is not a positive number of seconds", flag, s);
	return v;
}

/* Calls each(item, index, ctx) for the comma-separated items of list,
 * repeating the last one up to count items. */
static void for_each_item(const char *list, unsigned count, const char *flag,
			  void (*each)(const char *, unsigned, void *), void *ctx)
{
	char copy[4096];
	if (strlen(list) >= sizeof copy)
		usage_error("%s: the list is too long", flag);
	strcpy(copy, list);
	char *items[MML_MAX_READERS];
	unsigned n = 0;
	for (char *tok = strtok(copy, ","); tok && n < MML_MAX_READERS; tok = strtok(NULL, ","))
		items[n++] = tok;
	if (n == 0)
		usage_error("%s: the list is empty", flag);
	for (unsigned i = 0; i < count; i++)
		each(items[i < n ? i : n - 1], i, ctx);
}

static void set_order(const char *item, unsigned i, void *ctx)
{
	struct mml_program *p = ctx;
	int cpu = p->readers[i].cpu;
	if (mml_order_parse(item, &p->readers[i]))
		usage_error("--read-order: unknown order '%s'", item);
	p->readers[i].cpu = cpu;
}

static void set_pin(const char *item, unsigned i, void *ctx)
{
	struct mml_program *p = ctx;
	p->readers[i].cpu = (int)parse_number("--pin", item, CPU_SETSIZE - 1);
}

static void warn_if_one_cpu(const struct mml_program *p)
{
	struct mml_program placed = *p;
	if (p->mapper_cpu == MML_AUTO_CPU && mml_program_place(&placed) < 2)
		fprintf(stderr, "mmlitmus: warning: one CPU: the readers cannot run while "
				"the mapper does; expect Inconclusive\n");
}

/* Threads are placed by the library (mml_program_place) unless the flags
 * say otherwise; one CPU cannot race, so that is worth a warning. */
static void place_threads(struct cli *cli)
{
	struct mml_program *p = &cli->program;
	p->mapper_cpu = cli->no_pin ? MML_NO_CPU : cli->mapper_cpu;
	for (unsigned i = 0; i < p->nreaders; i++)
		p->readers[i].cpu = cli->no_pin ? MML_NO_CPU : MML_AUTO_CPU;
	if (cli->pins)
		for_each_item(cli->pins, p->nreaders, "--pin", set_pin, p);
	warn_if_one_cpu(p);
}

static void default_name(const struct mml_program *p, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < p->nops && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? "+" : "",
				 mml_op_class(p->ops[i].kind)->name);
		used = n < 0 ? len : used + (size_t)n;
	}
}

static void parse_flag(struct cli *cli, int opt, const char *arg)
{
	struct mml_program *p = &cli->program;
	struct mml_config *c = &cli->config;
	switch (opt) {
	case 'o':
		if (cli->nops == MML_MAX_OPS)
			usage_error("--op: at most %d ops", MML_MAX_OPS);
		cli->ops[cli->nops++] = arg;
		break;
	case 'b':
		if (mml_backing_parse(arg, &p->backing))
			usage_error("--backing: unknown backing '%s' (memfd, tmpfs, anon, hugetlb)", arg);
		break;
	case 'p':
		p->pages = (uint32_t)parse_number("--pages", arg, MML_MAX_PAGES);
		cli->pages_given = true;
		break;
	case OPT_PAGE_ORDER:
		cli->page_order = (unsigned)parse_number("--page-order", arg, MML_MAX_PAGE_ORDER);
		cli->page_order_given = true;
		break;
	case OPT_NO_POPULATE: p->populate = false; break;
	case 'r': p->nreaders = (unsigned)parse_number("--readers", arg, MML_MAX_READERS); break;
	case OPT_READ_ORDER: cli->read_orders = arg; break;
	case OPT_SHARE: p->share = true; break;
	case OPT_PERTURB:
		if (mml_perturb_parse(arg, &p->perturb))
			usage_error("--perturb: '%s' is not none, fork or mmap", arg);
		break;
	case OPT_WRITE: p->write = true; break;
	case OPT_READER_YIELD:
		p->reader_yield = (uint32_t)parse_number("--reader-yield", arg, UINT32_MAX);
		break;
	case OPT_DELAY:
		if (mml_delay_parse(arg, &p->delay, &p->delay_amount))
			usage_error("--delay: '%s' is not none, spin[:N], yield or sleep[:NS]", arg);
		break;
	case OPT_MAPPER_CPU:
		cli->mapper_cpu = (int)parse_number("--mapper-cpu", arg, CPU_SETSIZE - 1);
		break;
	case OPT_PIN: cli->pins = arg; break;
	case OPT_NO_PIN: cli->no_pin = true; break;
	case 's': c->seconds = parse_seconds("--seconds", arg); cli->seconds_given = true; break;
	case 'n':
		c->iterations = parse_number("--iterations", arg, UINT64_MAX);
		if (c->iterations == 0)
			usage_error("--iterations: at least 1");
		break;
	case OPT_SEED: c->seed = parse_number("--seed", arg, UINT64_MAX); break;
	case OPT_STOP_ON_FINDING: c->stop_on_finding = true; break;
	case OPT_STOP_ON_VIOLATION: c->stop_on_violation = true; break;
	case OPT_MIN_RACING: c->min_racing = parse_number("--min-racing", arg, UINT64_MAX); break;
	case OPT_HUGE_SETUP: cli->huge_setup = true; break;
	case OPT_NAME: cli->name = arg; break;
	case OPT_EVIDENCE: c->evidence = (unsigned)parse_number("--evidence", arg, 16); break;
	case OPT_JSON: cli->json = true; break;
	case OPT_NO_PROGRESS: cli->progress = false; break;
	case OPT_PLOT: cli->plot = arg; break;
	case 'h': fputs(usage, stdout); exit(EXIT_CLEAN);
	case OPT_VERSION: puts("mmlitmus " VERSION); exit(EXIT_CLEAN);
	default: usage_error("unknown option");
	}
}

static bool is_program_flag(int opt)
{
	switch (opt) {
	case 'o': case 'b': case 'p': case 'r': case OPT_NO_POPULATE: case OPT_PAGE_ORDER:
	case OPT_READ_ORDER: case OPT_SHARE: case OPT_WRITE: case OPT_READER_YIELD:
	case OPT_DELAY: case OPT_MAPPER_CPU: case OPT_PIN: case OPT_NO_PIN:
	case OPT_PERTURB:
		return true;
	default:
		return false;
	}
}

/* hugetlb pages are 2 MiB; a region holds two folios at least, so that a
 * reader can see one of them new and the other stale. */
static void size_program(struct cli *cli)
{
	struct mml_program *p = &cli->program;
	if (cli->page_order_given)
		p->page_order = cli->page_order;
	else if (p->backing == MML_BACKING_HUGETLB)
		p->page_order = MML_MAX_PAGE_ORDER;
	uint32_t two_folios = 2u << p->page_order;
	if (!cli->pages_given && p->pages < two_folios)
		p->pages = two_folios;
}

static void build_program(struct cli *cli)
{
	struct mml_program *p = &cli->program;
	size_program(cli);
	p->nops = cli->nops ? cli->nops : 1;
	for (unsigned i = 0; i < p->nops; i++) {
		const char *spec = cli->nops ? cli->ops[i] : "mapfixed";
		if (mml_op_parse(spec, p->pages, &p->ops[i]))
			usage_error("--op: cannot parse '%s'", spec);
	}
	if (p->nreaders == 0)
		usage_error("--readers: at least one reader is needed");
	place_threads(cli);
	if (cli->read_orders)
		for_each_item(cli->read_orders, p->nreaders, "--read-order", set_order, p);
	const char *why = mml_program_check(p);
	if (why)
		usage_error("%s", why);
}

/* The whole file, or a one-line error and exit 2. */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		fail_exit("%s: %s", path, strerror(errno));
	size_t cap = 4096, used = 0;
	unsigned char *buf = malloc(cap + 1);
	for (size_t got = 1; buf && got > 0;) {
		if (used == cap) {
			unsigned char *more = realloc(buf, 2 * cap + 1);
			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		got = fread(buf + used, 1, cap - used, f);
		used += got;
	}
	bool bad = ferror(f) || !buf || used == cap;
	if (f != stdin)
		fclose(f);
	if (bad)
		fail_exit("%s: cannot read the whole file", path);
	buf[used] = 0;
	*len = used;
	return buf;
}

/* A program from a file in either form; one-line error and exit 2. */
static void load_program(const char *path, struct mml_program *p)
{
	size_t len;
	unsigned char *data = read_file(path, &len);
	char why[256];
	if (mml_is_text(data, len)) {
		if (mml_program_parse((const char *)data, p, why, sizeof why))
			fail_exit("%s: %s", path, why);
	} else {
		mml_decode(data, len, p, NULL);
	}
	free(data);
}

static void parse_args(struct cli *cli, int argc, char **argv)
{
	memset(cli, 0, sizeof *cli);
	mml_program_classic(&cli->program);
	cli->mapper_cpu = MML_AUTO_CPU;
	cli->progress = true;
	cli->config = (struct mml_config){.evidence = 3, .min_racing = 1000,
					  .seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32};
	int opt;
	while ((opt = getopt_long(argc, argv, "o:b:p:r:s:n:h", options, NULL)) != -1) {
		if (opt == '?')
			usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
		cli->program_flags |= is_program_flag(opt);
		parse_flag(cli, opt, optarg);
	}
	if (optind < argc)
		cli->file = argv[optind++];
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!cli->seconds_given && cli->config.iterations == 0)
		cli->config.seconds = 5;
	if (cli->file && cli->program_flags)
		usage_error("%s: a program file and program flags do not mix", cli->file);
	if (cli->file) {
		load_program(cli->file, &cli->program);
		warn_if_one_cpu(&cli->program);
	} else {
		build_program(cli);
	}
	mml_program_place(&cli->program);
	cli->config.progress = cli->progress && isatty(STDERR_FILENO);
	cli->config.stop = &stop_requested;
}

/* The settings go back at every exit: atexit covers returns and the
 * error exits, on_stop a second signal. */
static void set_up_huge_pages(const struct mml_program *p)
{
	char why[512];
	atexit(mml_huge_restore);
	if (mml_huge_setup(p, stderr, why, sizeof why))
		fail_exit("%s", why);
}

/* A capture for --plot, or a one-line error. */
static struct mml_capture *new_capture(void)
{
	struct mml_capture *c = malloc(sizeof *c);
	if (!c || mml_capture_init(c))
		fail_exit("--plot: out of memory");
	return c;
}

/* Writes the picture; a run with nothing recorded says so. */
static void write_plot(const char *path, const char *title,
		       const struct mml_program *p, struct mml_capture *c)
{
	if (!c->filled) {
		fprintf(stderr, "mmlitmus: --plot: no iteration completed, nothing drawn\n");
	} else {
		FILE *out = fopen(path, "w");
		if (!out)
			fail_exit("%s: %s", path, strerror(errno));
		int err = mml_plot_svg(out, title, p, c);
		if (fclose(out) || err)
			fail_exit("%s: cannot write the picture", path);
	}
	mml_capture_free(c);
	free(c);
}

static int run_command(int argc, char **argv)
{
	struct cli cli;
	parse_args(&cli, argc, argv);
	char name[256];
	if (cli.name)
		snprintf(name, sizeof name, "%s", cli.name);
	else
		default_name(&cli.program, name, sizeof name);

	catch_stop_signals();
	if (cli.huge_setup)
		set_up_huge_pages(&cli.program);
	struct mml_result *result = malloc(sizeof *result);
	if (!result)
		fail_exit("out of memory");
	if (cli.plot)
		cli.config.capture = new_capture();
	int status = mml_run(&cli.program, &cli.config, result);
	if (status < 0 && result->iterations == 0)
		fail_exit("%s", result->error);
	if (cli.plot)
		write_plot(cli.plot, name, &cli.program, cli.config.capture);
	struct mml_report rep = {name, &cli.program, &cli.config, result};
	if (cli.json)
		mml_report_json(stdout, &rep);
	else
		mml_report_text(stdout, &rep);
	fflush(stdout);
	if (status < 0)
		fprintf(stderr, "mmlitmus: %s\n", result->error);
	int code = status < 0 ? EXIT_USAGE
		   : result->disagreeing_findings ? EXIT_DISAGREEMENT
		   : mml_fired(&cli.program, result) ? EXIT_FINDING : EXIT_CLEAN;
	free(result);
	return code;
}

/* The one FILE argument of decode, encode and replay. */
static const char *only_file(int argc, char **argv, const char *command)
{
	if (optind >= argc)
		usage_error("%s: a FILE is needed", command);
	if (optind + 1 < argc)
		usage_error("%s: unexpected argument '%s'", command, argv[optind + 1]);
	return argv[optind];
}

static int decode_command(int argc, char **argv)
{
	optind = 1;
	if (getopt_long(argc, argv, "", no_options, NULL) != -1)
		usage_error("decode: unknown option '%s'", argv[optind - 1]);
	const char *path = only_file(argc, argv, "decode");
	size_t len;
	unsigned char *data = read_file(path, &len);
	struct mml_program p;
	bool known;
	unsigned version = mml_decode(data, len, &p, &known);
	free(data);
	if (!known)
		fprintf(stderr, "mmlitmus: %s: the version byte is not a known "
				"version: read as version %u\n", path, version);
	char text[16384];
	mml_program_format(&p, text, sizeof text);
	fputs(text, stdout);
	return fflush(stdout) ? EXIT_USAGE : EXIT_CLEAN;
}

static int encode_command(int argc, char **argv)
{
	const char *out_path = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:", encode_options, NULL)) != -1) {
		if (opt != 'o')
			usage_error("encode: unknown or incomplete option '%s'", argv[optind - 1]);
		out_path = optarg;
	}
	const char *path = only_file(argc, argv, "encode");
	struct mml_program p;
	load_program(path, &p);
	uint8_t bytes[MML_ENCODING_MAX];
	const char *why;
	int len = mml_encode(&p, bytes, sizeof bytes, &why);
	if (len < 0)
		fail_exit("%s: %s", path, why);
	if (!out_path && isatty(STDOUT_FILENO))
		usage_error("encode: the output is binary: give -o OUT or redirect it");
	FILE *out = out_path ? fopen(out_path, "wb") : stdout;
	if (!out)
		fail_exit("%s: %s", out_path, strerror(errno));
	bool bad = fwrite(bytes, 1, (size_t)len, out) != (size_t)len;
	bad |= out_path ? fclose(out) != 0 : fflush(out) != 0;
	if (bad)
		fail_exit("%s: cannot write", out_path ? out_path : "stdout");
	return EXIT_CLEAN;
}

/* The rate line of a replay; tools read its first words. */
static void print_rate(uint64_t fired, uint64_t done, uint64_t seed, bool first)
{
	printf("Reproduced %" PRIu64 " of %" PRIu64 " runs (seeds %" PRIu64 "..%" PRIu64 ")",
	       fired, done, seed, seed + done - 1);
	if (stop_requested)
		printf(", interrupted");
	else if (first && fired)
		printf(": stopped at the first that fired (--first), so this is no rate");
	else if (fired == 0)
		printf(": more runs (-n) may show a rare one");
	printf("\n");
}

/* The rate and the report as one JSON object: what tools read instead of
 * the text. */
static void print_replay_json(const char *path, uint64_t fired, uint64_t done,
			      uint64_t seed, const struct mml_execution *x)
{
	struct mml_report rep = {path, &x->program, &x->config, &x->result};
	json_t *report = mml_report_json_object(&rep);
	json_t *doc = report ? json_pack("{s:I, s:s, s:I, s:I, s:I, s:b, s:o}",
		"format", (json_int_t)MML_JSON_FORMAT, "file", path,
		"fired", (json_int_t)fired, "runs", (json_int_t)done,
		"first_seed", (json_int_t)seed, "interrupted", (bool)stop_requested,
		"report", report) : NULL;
	if (mml_json_write(stdout, doc, 0))
		fail_exit("replay: cannot write the JSON");
}

static int replay_command(int argc, char **argv)
{
	uint64_t runs = 20, seed = 1;
	bool first_only = false, huge_setup = false, json = false;
	const char *plot = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:", replay_options, NULL)) != -1) {
		if (opt == 'n')
			runs = parse_number("--runs", optarg, UINT32_MAX);
		else if (opt == OPT_SEED)
			seed = parse_number("--seed", optarg, UINT64_MAX);
		else if (opt == OPT_FIRST)
			first_only = true;
		else if (opt == OPT_JSON)
			json = true;
		else if (opt == OPT_PLOT)
			plot = optarg;
		else if (opt == OPT_HUGE_SETUP)
			huge_setup = true;
		else
			usage_error("replay: unknown or incomplete option '%s'", argv[optind - 1]);
	}
	if (runs == 0)
		usage_error("--runs: at least 1");
	const char *path = only_file(argc, argv, "replay");
	struct mml_execution_env env;
	char why[256];
	if (mml_execution_env(&env, why, sizeof why))
		usage_error("%s", why);
	struct mml_execution *x = malloc(sizeof *x), *first = malloc(sizeof *first);
	if (!x || !first)
		fail_exit("out of memory");
	load_program(path, &x->program);
	mml_program_place(&x->program);
	x->capture = plot ? new_capture() : NULL;
	catch_stop_signals();
	if (huge_setup)
		set_up_huge_pages(&x->program);
	uint64_t fired = 0, done = 0;
	for (; done < runs && !stop_requested && !(first_only && fired); done++) {
		mml_execute_program(&env, seed + done, x);
		if (x->status == MML_EXEC_ERROR)
			fail_exit("%s: %s", path, x->result.error);
		if (x->status == MML_EXEC_FIRED && fired++ == 0)
			*first = *x;
	}
	/* The report holds the program; a replay that never fired shows the
	 * program of its last run. */
	if (json) {
		print_replay_json(path, fired, done, seed, fired ? first : x);
	} else {
		print_rate(fired, done, seed, first_only);
		mml_execution_report(stdout, path, fired ? first : x);
	}
	fflush(stdout);
	if (plot)
		write_plot(plot, path, &x->program, x->capture);
	free(x);
	free(first);
	return fired ? EXIT_FINDING : EXIT_CLEAN;
}

/* A bit per item of a comma-separated list, each looked up by name. */
static uint32_t parse_mask(const char *flag, const char *list,
			   int (*lookup)(const char *))
{
	char copy[1024];
	if (strlen(list) >= sizeof copy)
		usage_error("%s: the list is too long", flag);
	strcpy(copy, list);
	uint32_t mask = 0;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		int bit = lookup(tok);
		if (bit < 0)
			usage_error("%s: unknown item '%s'", flag, tok);
		mask |= 1u << bit;
	}
	if (!mask)
		usage_error("%s: the list is empty", flag);
	return mask;
}

static int backing_lookup(const char *name)
{
	enum mml_backing b;
	return mml_backing_parse(name, &b) ? -1 : (int)b;
}

static int page_order_lookup(const char *text)
{
	uint64_t order;
	return mml_parse_number(text, MML_MAX_PAGE_ORDER, &order) ? -1 : (int)order;
}

/* Everything the survey's flags say. */
struct survey_cli {
	struct mml_survey_filter filter;
	struct mml_survey_config config;
	const char *markdown, *json;
	bool budget_given, progress;
	char command[1024];
	char evidence_dir[4096];
};

/* The command as typed, for the table's header. */
static void survey_command_line(struct survey_cli *cli, int argc, char **argv)
{
	size_t len = sizeof cli->command;
	snprintf(cli->command, len, "mmlitmus");
	for (int i = 0; i < argc; i++) {
		size_t used = strlen(cli->command);
		snprintf(cli->command + used, len - used, " %s", argv[i]);
	}
}

/* Reads a command's flags, each with parse(cli, opt, arg), where arg is
 * the offending word for an unknown flag; a command takes no operand. */
static void parse_command_flags(int argc, char **argv, const char *command,
				const char *shortopts, const struct option *longopts,
				void (*parse)(void *, int, const char *), void *cli)
{
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		parse(cli, opt, opt == '?' ? argv[optind - 1] : optarg);
	if (optind < argc)
		usage_error("%s: unexpected argument '%s'", command, argv[optind]);
}

static void parse_survey_flag(void *ctx, int opt, const char *arg)
{
	struct survey_cli *cli = ctx;
	struct mml_survey_filter *f = &cli->filter;
	struct mml_survey_config *c = &cli->config;
	switch (opt) {
	case OPT_BUDGET:
		c->budget = parse_seconds("--budget", arg);
		cli->budget_given = true;
		break;
	case OPT_CELL_SECONDS: c->cell_seconds = parse_seconds("--cell-seconds", arg); break;
	case OPT_OPS: f->shapes = parse_mask("--ops", arg, mml_survey_shape_parse); break;
	case OPT_BACKINGS: f->backings = parse_mask("--backings", arg, backing_lookup); break;
	case OPT_PAGE_ORDERS:
		f->page_orders = parse_mask("--page-orders", arg, page_order_lookup);
		break;
	case OPT_READ_ORDERS:
		f->read_orders = parse_mask("--read-orders", arg, mml_survey_read_order_parse);
		break;
	case OPT_MARKDOWN: cli->markdown = arg; break;
	case OPT_JSON_FILE: cli->json = arg; break;
	case OPT_EVIDENCE_DIR:
		snprintf(cli->evidence_dir, sizeof cli->evidence_dir, "%s", arg);
		break;
	case OPT_SEED: c->seed = parse_number("--seed", arg, UINT64_MAX); break;
	case OPT_MIN_RACING: c->min_racing = parse_number("--min-racing", arg, UINT64_MAX); break;
	case OPT_NO_PROGRESS: cli->progress = false; break;
	default: usage_error("survey: unknown or incomplete option '%s'", arg);
	}
}

/* Next to the JSON, named after it: s.json keeps its evidence in
 * s-evidence/. */
static void default_evidence_dir(struct survey_cli *cli)
{
	if (cli->evidence_dir[0] || !cli->json)
		return;
	size_t len = strlen(cli->json);
	const char *dot = len > 5 && strcmp(cli->json + len - 5, ".json") == 0
			  ? cli->json + len - 5 : cli->json + len;
	snprintf(cli->evidence_dir, sizeof cli->evidence_dir, "%.*s-evidence",
		 (int)(dot - cli->json), cli->json);
}

static void parse_survey_args(struct survey_cli *cli, int argc, char **argv)
{
	memset(cli, 0, sizeof *cli);
	cli->config = (struct mml_survey_config){.budget = 480, .seed = 1,
						 .min_racing = 1000};
	cli->progress = true;
	survey_command_line(cli, argc, argv);
	parse_command_flags(argc, argv, "survey", "", survey_options,
			    parse_survey_flag, cli);
	if (cli->budget_given && cli->config.cell_seconds > 0)
		usage_error("survey: --budget and --cell-seconds do not mix");
	cli->config.command = cli->command;
	cli->config.progress = cli->progress && isatty(STDERR_FILENO) ? stderr : NULL;
	cli->config.stop = &stop_requested;
	default_evidence_dir(cli);
}

static FILE *open_output(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		fail_exit("%s: %s", path, strerror(errno));
	return f;
}

/* The outputs are opened before the cells run, so that a bad path fails
 * at once rather than after the whole budget. */
static int survey_command(int argc, char **argv)
{
	struct survey_cli cli;
	parse_survey_args(&cli, argc, argv);
	struct mml_survey s;
	if (mml_survey_plan(&s, &cli.filter))
		fail_exit("out of memory");
	if (s.ncells == 0)
		usage_error("survey: no cell matches the filters");
	FILE *md = cli.markdown ? open_output(cli.markdown) : stdout;
	FILE *json = cli.json ? open_output(cli.json) : NULL;
	if (cli.evidence_dir[0]) {
		if (mkdir(cli.evidence_dir, 0777) && errno != EEXIST)
			fail_exit("%s: %s", cli.evidence_dir, strerror(errno));
		cli.config.evidence_dir = cli.evidence_dir;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	mml_survey_run(&s, &cli.config);
	if (mml_survey_markdown(md, &s) || (md != stdout && fclose(md)))
		fail_exit("%s: cannot write the table", cli.markdown ? cli.markdown : "stdout");
	if (json && (mml_survey_json(json, &s) || fclose(json)))
		fail_exit("%s: cannot write the JSON", cli.json);
	if (s.evidence_error[0])
		fprintf(stderr, "mmlitmus: evidence not kept: %s\n", s.evidence_error);
	int code = mml_survey_has_finding(&s) ? EXIT_FINDING : EXIT_CLEAN;
	mml_survey_free(&s);
	return code;
}

/* Everything the stress command's flags say. */
struct stress_cli {
	struct mml_stress_config config;
	bool dry_run, progress;
};

static void parse_stress_flag(void *ctx, int opt, const char *arg)
{
	struct stress_cli *cli = ctx;
	struct mml_stress_config *c = &cli->config;
	switch (opt) {
	case 's': c->seconds = parse_seconds("--seconds", arg); break;
	case 'j':
		c->workers = (unsigned)parse_number("--jobs", arg, 1024);
		if (c->workers == 0)
			usage_error("--jobs: at least 1");
		break;
	case 'n':
		c->programs = parse_number("--programs", arg, UINT64_MAX);
		if (c->programs == 0)
			usage_error("--programs: at least 1");
		break;
	case 'o': c->dir = arg; break;
	case OPT_SEED: c->seed = parse_number("--seed", arg, UINT64_MAX); break;
	case OPT_STOP_ON_FINDING: c->stop_on_finding = true; break;
	case OPT_DRY_RUN: cli->dry_run = true; break;
	case OPT_NO_PROGRESS: cli->progress = false; break;
	default: usage_error("stress: unknown or incomplete option '%s'", arg);
	}
}

static void parse_stress_args(struct stress_cli *cli, int argc, char **argv)
{
	memset(cli, 0, sizeof *cli);
	cli->config = (struct mml_stress_config){
		.seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32,
		.workers = mml_stress_default_workers(),
		.seconds = 60,
		.dir = "stress-out",
		.out = stdout,
		.stop = &stop_requested,
	};
	cli->progress = true;
	parse_command_flags(argc, argv, "stress", "s:j:n:o:", stress_options,
			    parse_stress_flag, cli);
	if (cli->progress && isatty(STDERR_FILENO))
		cli->config.progress = stderr;
}

static void print_stress_summary(const struct mml_stress_totals *t)
{
	printf("Ran %" PRIu64 " programs in %.1f s (%.0f exec/s): %" PRIu64 " fired, %"
	       PRIu64 " skipped, %" PRIu64 " not run%s\n", t->run, t->seconds,
	       t->seconds > 0 ? (double)t->run / t->seconds : 0.0, t->fired,
	       t->skipped, t->errors, stop_requested ? ", interrupted" : "");
	if (t->first_fired >= 0)
		printf("First firing after %.3f s\n", t->first_fired);
}

static int stress_command(int argc, char **argv)
{
	struct stress_cli cli;
	parse_stress_args(&cli, argc, argv);
	struct mml_stress_config *c = &cli.config;
	struct mml_execution_env env;
	char why[256];
	if (mml_execution_env(&env, why, sizeof why))
		usage_error("%s", why);
	if (cli.dry_run) {
		if (mml_stress_list(&env, c->seed, c->workers, c->programs ? c->programs : 10,
				    stdout))
			fail_exit("stress: no program can be drawn under MMLITMUS_OPS and the caps");
		return EXIT_CLEAN;
	}
	catch_stop_signals();
	struct mml_stress_totals t;
	if (mml_stress_run(&env, c, &t, why, sizeof why))
		fail_exit("stress: %s", why);
	print_stress_summary(&t);
	if (t.worker_failed)
		fprintf(stderr, "mmlitmus: stress: a worker failed (see above)\n");
	fflush(stdout);
	return t.fired ? EXIT_FINDING : t.worker_failed ? EXIT_USAGE : EXIT_CLEAN;
}

/* Where tools/NAME is: installed beside mmlitmus as mmlitmus-NAME, else
 * in the source tree this binary was built from. */
static void tool_path(const char *name, char *path, size_t size)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, size, "%s/mmlitmus-%s", self, name);
			if (access(path, X_OK) == 0)
				return;
		}
	}
	snprintf(path, size, "%s/tools/%s", MML_SOURCE_ROOT, name);
}

/* Other kernels run under qemu, which tools/kernels drives (it fetches
 * kernels, builds the initramfs and boots it): `survey --kernels LIST`
 * and `replay --kernel NAME` hand the whole command over to it as
 * `kernels COMMAND LIST ARGS...`.  Returns only when FLAG is absent. */
static void hand_over_kernels(const char *command, const char *flag,
			      int argc, char **argv)
{
	int at = -1;
	for (int i = 1; i < argc && at < 0; i++)
		if (strcmp(argv[i], flag) == 0)
			at = i;
	if (at < 0)
		return;
	if (at + 1 >= argc)
		usage_error("%s: %s needs a value", command, flag);
	char tool[4200];
	tool_path("kernels", tool, sizeof tool);
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args)
		fail_exit("out of memory");
	int n = 0;
	args[n++] = tool;
	args[n++] = (char *)command;
	args[n++] = argv[at + 1];
	for (int i = 1; i < argc; i++)
		if (i != at && i != at + 1)
			args[n++] = argv[i];
	execv(tool, args);
	fail_exit("%s: %s (it runs other kernels under qemu)", tool, strerror(errno));
}

/* Runs a tool to its end; its output goes through.  Returns its exit
 * status, or -1 when it could not run. */
static int run_tool(char *const args[])
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execv(args[0], args);
		fprintf(stderr, "mmlitmus: %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* --minimize and --add for one group: a step that fails is reported and
 * the others go on. */
static void minimize_group(const struct mml_triage *t, unsigned g, const char *dir,
			   bool add)
{
	char name[200], out[4400], minimize[4200], corpus_add[4200];
	mml_triage_corpus_name(t, g, name, sizeof name);
	snprintf(out, sizeof out, "%s/%s.bin", dir, name);
	tool_path("minimize", minimize, sizeof minimize);
	char *margs[] = {minimize, t->files[t->groups[g].smallest].path, "-o", out, NULL};
	int status = run_tool(margs);
	if (status != 0) {
		fprintf(stderr, "mmlitmus: triage: minimizing %s failed (status %d)\n",
			name, status);
		return;
	}
	if (!add)
		return;
	tool_path("corpus-add", corpus_add, sizeof corpus_add);
	char *aargs[] = {corpus_add, out, "--name", name, NULL};
	if (run_tool(aargs) != 0)
		fprintf(stderr, "mmlitmus: triage: corpus-add of %s failed\n", out);
}

static bool group_fired(const struct mml_triage_group *g)
{
	return g->verdict == MML_TRIAGE_CONFIRMED || g->verdict == MML_TRIAGE_UNCONFIRMED ||
	       g->verdict == MML_TRIAGE_DISAGREEMENT || g->verdict == MML_TRIAGE_CONTROL;
}

static int triage_command(int argc, char **argv)
{
	struct mml_triage_config c = {.runs = 20, .budget = 600, .stop = &stop_requested};
	bool json = false, minimize = false, add = false;
	const char *dir = "triage-out";
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "n:o:", triage_options, NULL)) != -1) {
		switch (opt) {
		case 'n': c.runs = parse_number("--runs", optarg, UINT32_MAX); break;
		case OPT_BUDGET: c.budget = parse_seconds("--budget", optarg); break;
		case OPT_JSON: json = true; break;
		case OPT_MINIMIZE: minimize = true; break;
		case OPT_ADD: add = true; break;
		case 'o': dir = optarg; break;
		default: usage_error("triage: unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (c.runs == 0)
		usage_error("--runs: at least 1");
	if (add && !minimize)
		usage_error("triage: --add hands on what --minimize made: give both");
	if (optind >= argc)
		usage_error("triage: a DIR or FILE is needed");
	struct mml_execution_env env;
	char why[512];
	if (mml_execution_env(&env, why, sizeof why))
		usage_error("%s", why);
	struct mml_triage t = {0};
	for (int i = optind; i < argc; i++)
		if (mml_triage_add_path(&t, argv[i], why, sizeof why))
			fail_exit("%s", why);
	catch_stop_signals();
	c.progress = isatty(STDERR_FILENO) ? stderr : NULL;
	mml_triage_group(&t);
	mml_triage_replay(&t, &env, &c);
	if (json ? mml_triage_json(stdout, &t) : (mml_triage_markdown(stdout, &t), 0))
		fail_exit("triage: cannot write the JSON");
	fflush(stdout);
	if (minimize && mkdir(dir, 0777) && errno != EEXIST)
		fail_exit("%s: %s", dir, strerror(errno));
	for (unsigned g = 0; minimize && g < t.ngroups && !stop_requested; g++)
		if (t.groups[g].merged_into == g && group_fired(&t.groups[g]))
			minimize_group(&t, g, dir, add);
	int status = mml_triage_status(&t);
	mml_triage_free(&t);
	return status;
}

/* -h and --help print the usage for every command, as for run. */
static void help_if_asked(int argc, char **argv)
{
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			exit(EXIT_CLEAN);
		}
}

int main(int argc, char **argv)
{
	const char *command = argc > 1 ? argv[1] : "";
	opterr = 0; /* usage_error says it in one line */
	help_if_asked(argc, argv);
	if (strcmp(command, "replay") == 0 || strcmp(command, "survey") == 0)
		hand_over_kernels(command, command[0] == 'r' ? "--kernel" : "--kernels",
				  argc - 1, argv + 1);
	if (strcmp(command, "decode") == 0)
		return decode_command(argc - 1, argv + 1);
	if (strcmp(command, "encode") == 0)
		return encode_command(argc - 1, argv + 1);
	if (strcmp(command, "replay") == 0)
		return replay_command(argc - 1, argv + 1);
	if (strcmp(command, "survey") == 0)
		return survey_command(argc - 1, argv + 1);
	if (strcmp(command, "stress") == 0)
		return stress_command(argc - 1, argv + 1);
	if (strcmp(command, "triage") == 0)
		return triage_command(argc - 1, argv + 1);
	if (strcmp(command, "run") == 0)
		return run_command(argc - 1, argv + 1);
	return run_command(argc, argv);
}
