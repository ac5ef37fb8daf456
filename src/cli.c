/* The table of mmlitmus's commands and flags, and what is made of it:
 * getopt_long's tables for each command and the --help text. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define RUN (1u << CMD_RUN)
#define ENCODE (1u << CMD_ENCODE)
#define REPLAY (1u << CMD_REPLAY)
#define SURVEY (1u << CMD_SURVEY)
#define TRIAGE (1u << CMD_TRIAGE)
#define STRESS (1u << CMD_STRESS)
#define ALL ((1u << CMD_COUNT) - 1)

/* The flags' and commands' texts start in this column of the help. */
enum { HELP_COLUMN = 25 };

struct command {
	const char *name;
	const char *operands; /* in the list of commands */
	const char *synopsis; /* what follows the name in the usage lines */
	const char *summary;
};

static const struct command commands[CMD_COUNT] = {
	[CMD_RUN] = {"run", "", "[OPTION]... [FILE]",
		"run a test (the default)"},
	[CMD_DECODE] = {"decode", "FILE", "FILE",
		"print the program a binary input decodes to, in\n"
		"the text form"},
	[CMD_ENCODE] = {"encode", "FILE", "[-o OUT] FILE",
		"write the canonical binary form of a program (text\n"
		"or binary) to OUT (-o) or to stdout"},
	[CMD_REPLAY] = {"replay", "FILE",
		"[--kernel LIST] [-n RUNS] [--first] [--seed N]\n"
		"[--json] [--plot OUT.svg] [--huge-setup] FILE",
		"run the program as a fuzz target does (its repeat\n"
		"iterations within MMLITMUS_MAX_MS) RUNS times (-n,\n"
		"default 20), or until it fires with --first; print\n"
		"the reproduction rate and the first firing's\n"
		"report; exit 1 when it fired"},
	[CMD_SURVEY] = {"survey", "", "[--kernels LIST | --merge FILE.json...] [OPTION]...",
		"run the answers matrix: every op, backing, page\n"
		"order and read order this machine supports, each\n"
		"cell for an even share of one time budget; print\n"
		"the table in Markdown (see Survey below)"},
	[CMD_TRIAGE] = {"triage", "DIR|FILE...",
		"[-n RUNS] [--budget S] [--json] [--minimize [--add]]\n"
		"[-o DIR] DIR|FILE...",
		"group crash files (libFuzzer artifacts, AFL++\n"
		"crashes/ or sync directories, single files) by\n"
		"signature, replay the smallest of each group for a\n"
		"rate and print one table (see Triage below)"},
	[CMD_STRESS] = {"stress", "",
		"[-s S] [-j N] [-n N] [-o DIR] [--seed N]\n"
		"[--stop-on-finding] [--dry-run]",
		"run random programs drawn from a seed as the fuzz\n"
		"targets run inputs (the same decoder, caps and\n"
		"MMLITMUS_OPS), in worker processes; save each\n"
		"program that fires in the binary form; exit 1\n"
		"when one fired (see Stress below)"},
};

static const char about[] =
"Run a litmus test: a mapper thread changes the mapping of a region while\n"
"reader threads read it; report whether any reader saw the change happen\n"
"non-atomically (new-then-stale and the other classes of doc/oracle.md).\n"
"With no options: the classic test (16 pages of a memfd, one reader, mmap\n"
"MAP_FIXED of another memfd over it) for 5 seconds.  FILE holds a program\n"
"in the text form (.litmus) or the binary form (a fuzzer's input); then the\n"
"program flags below are not allowed.\n";

static const char exit_status[] =
"Exit status: 0 no finding, 1 a finding (a violation the op's policy\n"
"forbids; for replay: the program fired; for triage: a group is a\n"
"confirmed finding), 2 bad usage or an environment error, 3 the streaming\n"
"oracle and the reference checker disagree (a bug of mmlitmus).\n";

enum section {
	SEC_PROGRAM, SEC_PLACEMENT, SEC_RUN, SEC_OUTPUT, SEC_REPLAY, SEC_SURVEY,
	SEC_TRIAGE, SEC_STRESS, SEC_COUNT
};

/* A section's heading says what holds for all its flags. */
static const char *const headings[SEC_COUNT] = {
	[SEC_PROGRAM] = "Program:",
	[SEC_PLACEMENT] =
		"Placement (default: mapper on the first CPU, readers round-robin on the others):",
	[SEC_RUN] = "Run:",
	[SEC_OUTPUT] = "Output:",
	[SEC_REPLAY] = "Replay:",
	[SEC_SURVEY] = "Survey (and --seed, default 1, --min-racing, --no-progress as above):",
	[SEC_TRIAGE] = "Triage (and -n, --runs RUNS as for replay, --json as above):",
	[SEC_STRESS] = "Stress (and --seed, default from the clock, --no-progress as above):",
};

enum kind {
	OPTION,
	PROGRAM,  /* shapes the program: refused with a program FILE */
	HANDOVER, /* main hands the command over to tools/kernels */
};

struct flag {
	enum cli_flag id;
	char short_name;      /* 0: none */
	const char *name;
	const char *arg;      /* NULL: it takes none */
	enum section section;
	unsigned commands;    /* a bit per command that takes it */
	enum kind kind;
	const char *help;
};

/* In the order of the help; no command takes two rows of one name. */
static const struct flag flags[] = {
	{FLAG_OP, 'o', "op", "SPEC", SEC_PROGRAM, RUN, PROGRAM,
	 "add an op to the mapper's list, in order (repeat the\n"
	 "flag for more); default: mapfixed.  SPEC is\n"
	 "KIND[:LO-HI][:PARAM]..., the range defaults to the\n"
	 "whole region.  KIND and PARAM (BACKING is memfd,\n"
	 "the default, tmpfs, anon or hugetlb):\n"
	 "  mapfixed[:BACKING][:populate][:locked]\n"
	 "                 mmap MAP_FIXED (atomic)\n"
	 "  munmap         (not atomic)\n"
	 "  mremap[:BACKING][:pte|pmd|pud][:dontunmap]\n"
	 "                 MREMAP_FIXED from a source aligned\n"
	 "                 as named (atomic)\n"
	 "  grow[:BACKING][:pte|pmd|pud]  mremap of the first\n"
	 "                 half, grown to the range (atomic)\n"
	 "  shrink         mremap in place to the first folio\n"
	 "                 (not atomic)\n"
	 "  dontneed       MADV_DONTNEED (not atomic)\n"
	 "  free           MADV_FREE, anon (not atomic)\n"
	 "  remove         MADV_REMOVE, shared (not atomic)\n"
	 "  pageout, collapse  MADV_PAGEOUT, MADV_COLLAPSE\n"
	 "                 (nothing visible may change)\n"
	 "  mlock, migrate mlock, move_pages (likewise)\n"
	 "  truncate, punch  ftruncate to LO, hole punch of\n"
	 "                 generation 0's file (not atomic)\n"
	 "  mprotect[:none|read]  (atomic within a VMA)\n"
	 "  piecewise[:BACKING][:asc|desc]  folio-by-folio\n"
	 "                 control"},
	{FLAG_BACKING, 'b', "backing", "KIND", SEC_PROGRAM, RUN, PROGRAM,
	 "generation 0's backing: memfd (default), tmpfs, anon,\n"
	 "hugetlb (2 MiB pages, page order 9)"},
	{FLAG_PAGES, 'p', "pages", "N", SEC_PROGRAM, RUN, PROGRAM,
	 "region size in 4 KiB pages (default 16, and at\n"
	 "least two folios of the page order)"},
	{FLAG_PAGE_ORDER, 0, "page-order", "N", SEC_PROGRAM, RUN, PROGRAM,
	 "folios of 2^N pages, 0 to 9 (9 is 2 MiB; default 0,\n"
	 "9 with -b hugetlb): anonymous and shared memory ask\n"
	 "for them (MADV_HUGEPAGE), the run refuses a machine\n"
	 "that does not offer them and checks that the\n"
	 "region got them"},
	{FLAG_NO_POPULATE, 0, "no-populate", NULL, SEC_PROGRAM, RUN, PROGRAM,
	 "let the readers fault generation 0 in"},
	{FLAG_READ_ONLY, 0, "read-only", NULL, SEC_PROGRAM, RUN, PROGRAM,
	 "map the file generations read-only: their page\n"
	 "table entries stay clean, so a zap flushes the\n"
	 "readers' TLBs at its end and they read the old\n"
	 "pages through it (not with --write or remove)"},
	{FLAG_READERS, 'r', "readers", "N", SEC_PROGRAM, RUN, PROGRAM,
	 "reader threads (default 1, at most 64)"},
	{FLAG_READ_ORDER, 0, "read-order", "LIST", SEC_PROGRAM, RUN, PROGRAM,
	 "comma-separated, one per reader, the last repeats:\n"
	 "asc (default), desc, random (a new permutation\n"
	 "every iteration, from the seed), stride:S,\n"
	 "pingpong (both ends inwards), single:P"},
	{FLAG_SHARE, 0, "share", NULL, SEC_PROGRAM, RUN, PROGRAM,
	 "readers share what they learn (doc/oracle.md)"},
	{FLAG_WRITE, 0, "write", NULL, SEC_PROGRAM, RUN, PROGRAM,
	 "readers also store into each page they read; what\n"
	 "the stores left in the backing files is checked\n"
	 "after every iteration (lost writes)"},
	{FLAG_READER_YIELD, 0, "reader-yield", "N", SEC_PROGRAM, RUN, PROGRAM,
	 "a reader calls sched_yield every N reads (0: never)"},
	{FLAG_PERTURB, 0, "perturb", "KIND", SEC_PROGRAM, RUN, PROGRAM,
	 "a thread doing unrelated mm work while the ops run:\n"
	 "none (default), fork (fork a child that writes a\n"
	 "page and exits), mmap (map and unmap elsewhere)"},
	{FLAG_DELAY, 0, "delay", "KIND[:N]", SEC_PROGRAM, RUN, PROGRAM,
	 "before each op: none, spin[:N] (up to N pauses;\n"
	 "default spin:10000), yield, sleep[:NS] (up to NS\n"
	 "nanoseconds); amounts are drawn from the seed,\n"
	 "every scale alike"},
	{FLAG_MAPPER_CPU, 0, "mapper-cpu", "N", SEC_PLACEMENT, RUN, PROGRAM,
	 "pin the mapper to CPU N"},
	{FLAG_PIN, 0, "pin", "LIST", SEC_PLACEMENT, RUN, PROGRAM,
	 "pin the readers to these CPUs, comma-separated, the\n"
	 "list repeats"},
	{FLAG_NO_PIN, 0, "no-pin", NULL, SEC_PLACEMENT, RUN, PROGRAM,
	 "pin no thread"},
	{FLAG_SECONDS, 's', "seconds", "S", SEC_RUN, RUN, OPTION,
	 "run for S seconds (default 5 unless -n is given)"},
	{FLAG_ITERATIONS, 'n', "iterations", "N", SEC_RUN, RUN, OPTION,
	 "run N iterations"},
	{FLAG_SEED, 0, "seed", "N", SEC_RUN, RUN | REPLAY | SURVEY | STRESS, OPTION,
	 "schedule seed (default: from the clock; always printed)"},
	{FLAG_STOP_ON_FINDING, 0, "stop-on-finding", NULL, SEC_RUN, RUN, OPTION,
	 "stop after the first iteration with a finding"},
	{FLAG_STOP_ON_VIOLATION, 0, "stop-on-violation", NULL, SEC_RUN, RUN, OPTION,
	 "stop after the first iteration with any violation,\n"
	 "expected ones too (time to detect)"},
	{FLAG_MIN_RACING, 0, "min-racing", "N", SEC_RUN, RUN | SURVEY, OPTION,
	 "racing reads each op needs for a Never, else\n"
	 "Inconclusive (default 1000)"},
	{FLAG_HUGE_SETUP, 0, "huge-setup", NULL, SEC_RUN, RUN, OPTION,
	 "as root: turn on what the program's huge pages need\n"
	 "(mTHP and shmem settings, hugetlb pages, a tmpfs\n"
	 "with huge=advise) and put it back on exit"},
	{FLAG_NAME, 0, "name", "NAME", SEC_OUTPUT, RUN, OPTION,
	 "test name in the report (default: the op kinds)"},
	{FLAG_EVIDENCE, 0, "evidence", "N", SEC_OUTPUT, RUN, OPTION,
	 "violations reported with full evidence (default 3,\n"
	 "at most 16; as many expected ones again, and the\n"
	 "first of every other class; 0: none)"},
	{FLAG_JSON, 0, "json", NULL, SEC_OUTPUT, RUN, OPTION,
	 "one JSON object instead of the text report"},
	{FLAG_NO_PROGRESS, 0, "no-progress", NULL, SEC_OUTPUT, RUN | SURVEY | STRESS, OPTION,
	 "no progress line on stderr"},
	{FLAG_PLOT, 0, "plot", "FILE.svg", SEC_OUTPUT, RUN | REPLAY, OPTION,
	 "with run and replay: draw the first iteration that\n"
	 "fired (else the last): reads by page and time, the\n"
	 "ops, the violation's two reads marked"},
	{FLAG_HELP, 'h', "help", NULL, SEC_OUTPUT, ALL, OPTION,
	 "this text"},
	{FLAG_VERSION, 0, "version", NULL, SEC_OUTPUT, RUN, OPTION,
	 "the version"},
	{FLAG_RUNS, 'n', "runs", "RUNS", SEC_REPLAY, REPLAY | TRIAGE, OPTION,
	 "with replay: RUNS executions (default 20)"},
	{FLAG_FIRST, 0, "first", NULL, SEC_REPLAY, REPLAY, OPTION,
	 "with replay: stop at the first that fires (then\n"
	 "the count is no rate)"},
	{FLAG_JSON, 0, "json", NULL, SEC_REPLAY, REPLAY | TRIAGE, OPTION,
	 "with replay: the rate and the report as one JSON\n"
	 "object (doc/replay.schema.json)"},
	{FLAG_HUGE_SETUP, 0, "huge-setup", NULL, SEC_REPLAY, REPLAY, OPTION,
	 "with replay: as for run"},
	{FLAG_KERNEL, 0, "kernel", "LIST", SEC_REPLAY, REPLAY, HANDOVER,
	 "with replay: replay in each kernel of LIST under\n"
	 "qemu (6.1, 6.1-rt, 6.12, a bzImage or vmlinux of\n"
	 "one's own, host; see doc/kernels.md)"},
	{FLAG_OUTPUT, 'o', "output", "OUT", SEC_REPLAY, ENCODE, OPTION,
	 "with encode: the file to write"},
	{FLAG_BUDGET, 0, "budget", "S", SEC_SURVEY, SURVEY, OPTION,
	 "seconds for the whole survey (default 480), split\n"
	 "evenly over the cells that run and their controls\n"
	 "(piecewise in the row's op's place: a quarter of\n"
	 "a cell each)"},
	{FLAG_CELL_SECONDS, 0, "cell-seconds", "S", SEC_SURVEY, SURVEY, OPTION,
	 "seconds for each cell instead of a budget, and a\n"
	 "quarter of that for its control"},
	{FLAG_OPS, 0, "ops", "LIST", SEC_SURVEY, SURVEY, OPTION,
	 "rows to run, comma-separated (default all):\n"
	 "mapfixed, munmap, mremap, dontneed, mprotect,\n"
	 "mprotect-vmas, piecewise, shrink, grow, truncate,\n"
	 "punch, free, pageout, collapse, remove, mlock,\n"
	 "migrate"},
	{FLAG_BACKINGS, 0, "backings", "LIST", SEC_SURVEY, SURVEY, OPTION,
	 "memfd, tmpfs, anon, hugetlb (default all)"},
	{FLAG_PAGE_ORDERS, 0, "page-orders", "LIST", SEC_SURVEY, SURVEY, OPTION,
	 "page orders 0-9 (default 0, 9 and every order\n"
	 "this machine enables THP for)"},
	{FLAG_READ_ORDERS, 0, "read-orders", "LIST", SEC_SURVEY, SURVEY, OPTION,
	 "asc, desc, random, pingpong (default all four)"},
	{FLAG_MARKDOWN, 0, "markdown", "FILE", SEC_SURVEY, SURVEY, OPTION,
	 "write the table to FILE instead of stdout"},
	{FLAG_JSON_FILE, 0, "json-file", "FILE", SEC_SURVEY, SURVEY, OPTION,
	 "also write every cell's numbers to FILE as JSON"},
	{FLAG_EVIDENCE_DIR, 0, "evidence-dir", "DIR", SEC_SURVEY, SURVEY, OPTION,
	 "where each cell with a violation leaves its program\n"
	 "(NAME.bin) and a picture of its first such\n"
	 "iteration (NAME.svg); default: FILE of --json-file\n"
	 "without .json, and -evidence"},
	{FLAG_KERNELS, 0, "kernels", "LIST", SEC_SURVEY, SURVEY, HANDOVER,
	 "run the survey in each kernel of LIST under qemu\n"
	 "(names as for --kernel) and merge the tables: a\n"
	 "column per kernel"},
	{FLAG_MERGE, 0, "merge", NULL, SEC_SURVEY, SURVEY, OPTION,
	 "run nothing: merge the surveys of the FILE.json\n"
	 "operands (each one kernel's --json-file) into one\n"
	 "table, a column each, a cell folding the row's\n"
	 "read orders; only --markdown goes with it; exit 1\n"
	 "when a cell had a finding"},
	{FLAG_BUDGET, 0, "budget", "S", SEC_TRIAGE, TRIAGE, OPTION,
	 "seconds for all replays (default 600); the groups\n"
	 "with the most files go first"},
	{FLAG_MINIMIZE, 0, "minimize", NULL, SEC_TRIAGE, TRIAGE, OPTION,
	 "run mmlitmus-minimize on each group that fired,\n"
	 "writing DIR/NAME.bin (NAME: the corpus name)"},
	{FLAG_ADD, 0, "add", NULL, SEC_TRIAGE, TRIAGE, OPTION,
	 "then hand each minimized program to\n"
	 "mmlitmus-corpus-add as NAME"},
	{FLAG_OUTPUT, 'o', "output", "DIR", SEC_TRIAGE, TRIAGE, OPTION,
	 "with triage: where minimized programs go (default\n"
	 "triage-out)"},
	{FLAG_SECONDS, 's', "seconds", "S", SEC_STRESS, STRESS, OPTION,
	 "run for S seconds (default 60)"},
	{FLAG_JOBS, 'j', "jobs", "N", SEC_STRESS, STRESS, OPTION,
	 "worker processes (default half the CPUs, at least\n"
	 "1); worker W draws the same programs for the same\n"
	 "seed whatever N is"},
	{FLAG_PROGRAMS, 'n', "programs", "N", SEC_STRESS, STRESS, OPTION,
	 "at most N programs a worker (default no limit)"},
	{FLAG_OUTPUT, 'o', "output", "DIR", SEC_STRESS, STRESS, OPTION,
	 "where firing programs are saved, named\n"
	 "crash-SEED-WORKER-PROGRAM (default stress-out)"},
	{FLAG_STOP_ON_FINDING, 0, "stop-on-finding", NULL, SEC_STRESS, STRESS, OPTION,
	 "stop every worker once a program fired"},
	{FLAG_DRY_RUN, 0, "dry-run", NULL, SEC_STRESS, STRESS, OPTION,
	 "print each worker's first N programs (-n, default\n"
	 "10) in the text form and run none"},
};

enum { NFLAGS = sizeof flags / sizeof flags[0] };

static bool takes(const struct flag *f, enum cli_command c)
{
	return f->commands & 1u << c;
}

enum cli_command cli_command(const char *word)
{
	for (int c = 0; c < CMD_COUNT; c++)
		if (strcmp(word, commands[c].name) == 0)
			return (enum cli_command)c;
	return CMD_COUNT;
}

const char *cli_command_name(enum cli_command c)
{
	return commands[c].name;
}

/* A long option's value is its flag's id past the characters, so that
 * getopt_long hands back which flag it read. */
enum { LONG_BASE = 256 };

void cli_parser_init(struct cli_parser *p, enum cli_command c)
{
	memset(p, 0, sizeof *p);
	p->command = c;
	size_t nlong = 0, nshort = 0;
	for (const struct flag *f = flags; f < flags + NFLAGS; f++) {
		if (!takes(f, c) || f->kind == HANDOVER)
			continue;
		p->longopts[nlong++] = (struct option){f->name,
			f->arg ? required_argument : no_argument, NULL,
			LONG_BASE + (int)f->id};
		if (f->short_name) {
			p->shortopts[nshort++] = f->short_name;
			if (f->arg)
				p->shortopts[nshort++] = ':';
		}
	}
	opterr = 0;
	optind = 1;
}

/* The flag of a short option getopt read: '?' is none. */
static int short_flag(enum cli_command c, int ch)
{
	for (const struct flag *f = flags; f < flags + NFLAGS; f++)
		if (takes(f, c) && f->short_name == ch)
			return (int)f->id;
	return FLAG_UNKNOWN;
}

int cli_next(struct cli_parser *p, int argc, char **argv)
{
	int opt = getopt_long(argc, argv, p->shortopts, p->longopts, NULL);
	if (opt == -1)
		return -1;
	int id = opt >= LONG_BASE ? opt - LONG_BASE : short_flag(p->command, opt);
	p->arg = id == FLAG_UNKNOWN ? argv[optind - 1] : optarg;
	if (id == FLAG_HELP) {
		cli_help(stdout);
		exit(EXIT_SUCCESS);
	}
	return id;
}

/* The first row of a flag: what its rows share. */
static const struct flag *first_row(enum cli_flag id)
{
	const struct flag *f = flags;
	while (f->id != id)
		f++;
	return f;
}

bool cli_flag_is_program(enum cli_flag id)
{
	return first_row(id)->kind == PROGRAM;
}

const char *cli_handover_flag(enum cli_command c)
{
	for (const struct flag *f = flags; f < flags + NFLAGS; f++)
		if (f->kind == HANDOVER && takes(f, c))
			return f->name;
	return NULL;
}

/* The lines of TEXT, the second and later ones indented by INDENT. */
static void print_lines(FILE *out, const char *text, int indent)
{
	for (;;) {
		size_t len = strcspn(text, "\n");
		fprintf(out, "%.*s\n", (int)len, text);
		if (!text[len])
			return;
		text += len + 1;
		fprintf(out, "%*s", indent, "");
	}
}

/* LEFT, then TEXT from the help column on. */
static void print_entry(FILE *out, const char *left, const char *text)
{
	int width = (int)strlen(left);
	fprintf(out, "%s%*s", left, width < HELP_COLUMN ? HELP_COLUMN - width : 2, "");
	print_lines(out, text, HELP_COLUMN);
}

/* A synopsis per command, its later lines under its first flag.  run's
 * name is in brackets: it is the command when none is named. */
static void print_usage(FILE *out)
{
	for (int c = 0; c < CMD_COUNT; c++) {
		const char *name = commands[c].name;
		int indent = (int)(strlen("       mmlitmus ") + strlen(name) + 1);
		fprintf(out, c == CMD_RUN ? "Usage: mmlitmus [%s] " : "       mmlitmus %s ", name);
		print_lines(out, commands[c].synopsis, indent);
	}
}

static void print_commands(FILE *out)
{
	fputs("Commands:\n", out);
	for (int c = 0; c < CMD_COUNT; c++) {
		char left[64];
		snprintf(left, sizeof left, "  %s%s%s", commands[c].name,
			 *commands[c].operands ? " " : "", commands[c].operands);
		print_entry(out, left, commands[c].summary);
	}
}

static void print_flag(FILE *out, const struct flag *f)
{
	char left[64];
	int n = f->short_name
		? snprintf(left, sizeof left, "  -%c, --%s", f->short_name, f->name)
		: snprintf(left, sizeof left, "      --%s", f->name);
	if (f->arg)
		snprintf(left + n, sizeof left - (size_t)n, " %s", f->arg);
	print_entry(out, left, f->help);
}

void cli_help(FILE *out)
{
	print_usage(out);
	fputs(about, out);
	fputc('\n', out);
	print_commands(out);
	for (int s = 0; s < SEC_COUNT; s++) {
		fprintf(out, "\n%s\n", headings[s]);
		for (const struct flag *f = flags; f < flags + NFLAGS; f++)
			if (f->section == (enum section)s)
				print_flag(out, f);
	}
	fputc('\n', out);
	fputs(exit_status, out);
}

static bool asks_help(const char *word)
{
	const struct flag *f = first_row(FLAG_HELP);
	return (word[0] == '-' && word[1] == f->short_name && !word[2]) ||
	       (strncmp(word, "--", 2) == 0 && strcmp(word + 2, f->name) == 0);
}

void cli_help_if_asked(int argc, char **argv)
{
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (asks_help(argv[i])) {
			cli_help(stdout);
			exit(EXIT_SUCCESS);
		}
}
