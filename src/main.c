/* mmlitmus: run one litmus test and answer whether the mapping change was
 * atomic as the readers saw it.  Exit 0: no finding; 1: a finding under the
 * ops' policy; 2: bad usage or an environment that cannot run the test. */
#include <errno.h>
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

#include "cli.h"
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

/* Everything the flags say, before it becomes a program. */
struct run_cli {
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

/* Reads a command's flags, each with parse(ctx, flag, arg) (NULL for a
 * command that takes none but -h); an unknown one is a usage error.  The
 * operands are left from optind on. */
static void parse_flags(enum cli_command command, int argc, char **argv,
			void (*parse)(void *, int, const char *), void *ctx)
{
	struct cli_parser p;
	cli_parser_init(&p, command);
	int flag;
	while ((flag = cli_next(&p, argc, argv)) != -1) {
		if (flag == FLAG_UNKNOWN)
			usage_error("%s%sunknown or incomplete option '%s'",
				    command == CMD_RUN ? "" : cli_command_name(command),
				    command == CMD_RUN ? "" : ": ", p.arg);
		if (parse)
			parse(ctx, flag, p.arg);
	}
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
static void place_threads(struct run_cli *cli)
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

static void parse_run_flag(void *ctx, int flag, const char *arg)
{
	struct run_cli *cli = ctx;
	cli->program_flags |= cli_flag_is_program(flag);
	struct mml_program *p = &cli->program;
	struct mml_config *c = &cli->config;
	switch (flag) {
	case FLAG_OP:
		if (cli->nops == MML_MAX_OPS)
			usage_error("--op: at most %d ops", MML_MAX_OPS);
		cli->ops[cli->nops++] = arg;
		break;
	case FLAG_BACKING:
		if (mml_backing_parse(arg, &p->backing))
			usage_error("--backing: unknown backing '%s' (memfd, tmpfs, anon, hugetlb)", arg);
		break;
	case FLAG_PAGES:
		p->pages = (uint32_t)parse_number("--pages", arg, MML_MAX_PAGES);
		cli->pages_given = true;
		break;
	case FLAG_PAGE_ORDER:
		cli->page_order = (unsigned)parse_number("--page-order", arg, MML_MAX_PAGE_ORDER);
		cli->page_order_given = true;
		break;
	case FLAG_NO_POPULATE: p->populate = false; break;
	case FLAG_READERS: p->nreaders = (unsigned)parse_number("--readers", arg, MML_MAX_READERS); break;
	case FLAG_READ_ORDER: cli->read_orders = arg; break;
	case FLAG_SHARE: p->share = true; break;
	case FLAG_PERTURB:
		if (mml_perturb_parse(arg, &p->perturb))
			usage_error("--perturb: '%s' is not none, fork or mmap", arg);
		break;
	case FLAG_WRITE: p->write = true; break;
	case FLAG_READER_YIELD:
		p->reader_yield = (uint32_t)parse_number("--reader-yield", arg, UINT32_MAX);
		break;
	case FLAG_DELAY:
		if (mml_delay_parse(arg, &p->delay, &p->delay_amount))
			usage_error("--delay: '%s' is not none, spin[:N], yield or sleep[:NS]", arg);
		break;
	case FLAG_MAPPER_CPU:
		cli->mapper_cpu = (int)parse_number("--mapper-cpu", arg, CPU_SETSIZE - 1);
		break;
	case FLAG_PIN: cli->pins = arg; break;
	case FLAG_NO_PIN: cli->no_pin = true; break;
	case FLAG_SECONDS: c->seconds = parse_seconds("--seconds", arg); cli->seconds_given = true; break;
	case FLAG_ITERATIONS:
		c->iterations = parse_number("--iterations", arg, UINT64_MAX);
		if (c->iterations == 0)
			usage_error("--iterations: at least 1");
		break;
	case FLAG_SEED: c->seed = parse_number("--seed", arg, UINT64_MAX); break;
	case FLAG_STOP_ON_FINDING: c->stop_on_finding = true; break;
	case FLAG_STOP_ON_VIOLATION: c->stop_on_violation = true; break;
	case FLAG_MIN_RACING: c->min_racing = parse_number("--min-racing", arg, UINT64_MAX); break;
	case FLAG_HUGE_SETUP: cli->huge_setup = true; break;
	case FLAG_NAME: cli->name = arg; break;
	case FLAG_EVIDENCE: c->evidence = (unsigned)parse_number("--evidence", arg, 16); break;
	case FLAG_JSON: cli->json = true; break;
	case FLAG_NO_PROGRESS: cli->progress = false; break;
	case FLAG_PLOT: cli->plot = arg; break;
	case FLAG_VERSION: puts("mmlitmus " VERSION); exit(EXIT_CLEAN);
	default: usage_error("unknown option");
	}
}

/* hugetlb pages are 2 MiB; a region holds two folios at least, so that a
 * reader can see one of them new and the other stale. */
static void size_program(struct run_cli *cli)
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

static void build_program(struct run_cli *cli)
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

static void parse_args(struct run_cli *cli, int argc, char **argv)
{
	memset(cli, 0, sizeof *cli);
	mml_program_classic(&cli->program);
	cli->mapper_cpu = MML_AUTO_CPU;
	cli->progress = true;
	cli->config = (struct mml_config){.evidence = 3, .min_racing = 1000,
					  .seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32};
	parse_flags(CMD_RUN, argc, argv, parse_run_flag, cli);
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
	struct run_cli cli;
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
	parse_flags(CMD_DECODE, argc, argv, NULL, NULL);
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

static void parse_encode_flag(void *ctx, int flag, const char *arg)
{
	const char **out_path = ctx;
	switch (flag) {
	case FLAG_OUTPUT: *out_path = arg; break;
	default: usage_error("encode: unknown option");
	}
}

static int encode_command(int argc, char **argv)
{
	const char *out_path = NULL;
	parse_flags(CMD_ENCODE, argc, argv, parse_encode_flag, &out_path);
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

/* Everything the replay command's flags say. */
struct replay_cli {
	uint64_t runs, seed;
	bool first_only, huge_setup, json;
	const char *plot;
};

static void parse_replay_flag(void *ctx, int flag, const char *arg)
{
	struct replay_cli *cli = ctx;
	switch (flag) {
	case FLAG_RUNS: cli->runs = parse_number("--runs", arg, UINT32_MAX); break;
	case FLAG_SEED: cli->seed = parse_number("--seed", arg, UINT64_MAX); break;
	case FLAG_FIRST: cli->first_only = true; break;
	case FLAG_JSON: cli->json = true; break;
	case FLAG_PLOT: cli->plot = arg; break;
	case FLAG_HUGE_SETUP: cli->huge_setup = true; break;
	default: usage_error("replay: unknown option");
	}
}

static int replay_command(int argc, char **argv)
{
	struct replay_cli cli = {.runs = 20, .seed = 1};
	parse_flags(CMD_REPLAY, argc, argv, parse_replay_flag, &cli);
	if (cli.runs == 0)
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
	x->capture = cli.plot ? new_capture() : NULL;
	catch_stop_signals();
	if (cli.huge_setup)
		set_up_huge_pages(&x->program);
	uint64_t fired = 0, done = 0;
	for (; done < cli.runs && !stop_requested && !(cli.first_only && fired); done++) {
		mml_execute_program(&env, cli.seed + done, x);
		if (x->status == MML_EXEC_ERROR)
			fail_exit("%s: %s", path, x->result.error);
		if (x->status == MML_EXEC_FIRED && fired++ == 0)
			*first = *x;
	}
	/* The report holds the program; a replay that never fired shows the
	 * program of its last run. */
	if (cli.json) {
		print_replay_json(path, fired, done, cli.seed, fired ? first : x);
	} else {
		print_rate(fired, done, cli.seed, cli.first_only);
		mml_execution_report(stdout, path, fired ? first : x);
	}
	fflush(stdout);
	if (cli.plot)
		write_plot(cli.plot, path, &x->program, x->capture);
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

/* The flags of a command that takes no operand. */
static void parse_command_flags(enum cli_command command, int argc, char **argv,
				void (*parse)(void *, int, const char *), void *cli)
{
	parse_flags(command, argc, argv, parse, cli);
	if (optind < argc)
		usage_error("%s: unexpected argument '%s'", cli_command_name(command),
			    argv[optind]);
}

static void parse_survey_flag(void *ctx, int flag, const char *arg)
{
	struct survey_cli *cli = ctx;
	struct mml_survey_filter *f = &cli->filter;
	struct mml_survey_config *c = &cli->config;
	switch (flag) {
	case FLAG_BUDGET:
		c->budget = parse_seconds("--budget", arg);
		cli->budget_given = true;
		break;
	case FLAG_CELL_SECONDS: c->cell_seconds = parse_seconds("--cell-seconds", arg); break;
	case FLAG_OPS: f->shapes = parse_mask("--ops", arg, mml_survey_shape_parse); break;
	case FLAG_BACKINGS: f->backings = parse_mask("--backings", arg, backing_lookup); break;
	case FLAG_PAGE_ORDERS:
		f->page_orders = parse_mask("--page-orders", arg, page_order_lookup);
		break;
	case FLAG_READ_ORDERS:
		f->read_orders = parse_mask("--read-orders", arg, mml_survey_read_order_parse);
		break;
	case FLAG_MARKDOWN: cli->markdown = arg; break;
	case FLAG_JSON_FILE: cli->json = arg; break;
	case FLAG_EVIDENCE_DIR:
		snprintf(cli->evidence_dir, sizeof cli->evidence_dir, "%s", arg);
		break;
	case FLAG_SEED: c->seed = parse_number("--seed", arg, UINT64_MAX); break;
	case FLAG_MIN_RACING: c->min_racing = parse_number("--min-racing", arg, UINT64_MAX); break;
	case FLAG_NO_PROGRESS: cli->progress = false; break;
	default: usage_error("survey: unknown option");
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
	parse_command_flags(CMD_SURVEY, argc, argv, parse_survey_flag, cli);
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

static void parse_stress_flag(void *ctx, int flag, const char *arg)
{
	struct stress_cli *cli = ctx;
	struct mml_stress_config *c = &cli->config;
	switch (flag) {
	case FLAG_SECONDS: c->seconds = parse_seconds("--seconds", arg); break;
	case FLAG_JOBS:
		c->workers = (unsigned)parse_number("--jobs", arg, 1024);
		if (c->workers == 0)
			usage_error("--jobs: at least 1");
		break;
	case FLAG_PROGRAMS:
		c->programs = parse_number("--programs", arg, UINT64_MAX);
		if (c->programs == 0)
			usage_error("--programs: at least 1");
		break;
	case FLAG_OUTPUT: c->dir = arg; break;
	case FLAG_SEED: c->seed = parse_number("--seed", arg, UINT64_MAX); break;
	case FLAG_STOP_ON_FINDING: c->stop_on_finding = true; break;
	case FLAG_DRY_RUN: cli->dry_run = true; break;
	case FLAG_NO_PROGRESS: cli->progress = false; break;
	default: usage_error("stress: unknown option");
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
	parse_command_flags(CMD_STRESS, argc, argv, parse_stress_flag, cli);
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
 * `kernels COMMAND LIST ARGS...`.  Returns only when the command has no
 * such flag or it is absent. */
static void hand_over_kernels(enum cli_command command, int argc, char **argv)
{
	const char *flag = cli_handover_flag(command);
	int at = -1;
	for (int i = 1; flag && i < argc && at < 0; i++)
		if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, flag) == 0)
			at = i;
	if (at < 0)
		return;
	const char *name = cli_command_name(command);
	if (at + 1 >= argc)
		usage_error("%s: --%s needs a value", name, flag);
	char tool[4200];
	tool_path("kernels", tool, sizeof tool);
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args)
		fail_exit("out of memory");
	int n = 0;
	args[n++] = tool;
	args[n++] = (char *)name;
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

/* Everything the triage command's flags say. */
struct triage_cli {
	struct mml_triage_config config;
	bool json, minimize, add;
	const char *dir;
};

static void parse_triage_flag(void *ctx, int flag, const char *arg)
{
	struct triage_cli *cli = ctx;
	switch (flag) {
	case FLAG_RUNS: cli->config.runs = parse_number("--runs", arg, UINT32_MAX); break;
	case FLAG_BUDGET: cli->config.budget = parse_seconds("--budget", arg); break;
	case FLAG_JSON: cli->json = true; break;
	case FLAG_MINIMIZE: cli->minimize = true; break;
	case FLAG_ADD: cli->add = true; break;
	case FLAG_OUTPUT: cli->dir = arg; break;
	default: usage_error("triage: unknown option");
	}
}

/* --minimize: each group that fired, into DIR. */
static void minimize_groups(const struct mml_triage *t, const char *dir, bool add)
{
	if (mkdir(dir, 0777) && errno != EEXIST)
		fail_exit("%s: %s", dir, strerror(errno));
	for (unsigned g = 0; g < t->ngroups && !stop_requested; g++)
		if (t->groups[g].merged_into == g && group_fired(&t->groups[g]))
			minimize_group(t, g, dir, add);
}

static int triage_command(int argc, char **argv)
{
	struct triage_cli cli = {
		.config = {.runs = 20, .budget = 600, .stop = &stop_requested},
		.dir = "triage-out",
	};
	parse_flags(CMD_TRIAGE, argc, argv, parse_triage_flag, &cli);
	if (cli.config.runs == 0)
		usage_error("--runs: at least 1");
	if (cli.add && !cli.minimize)
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
	cli.config.progress = isatty(STDERR_FILENO) ? stderr : NULL;
	mml_triage_group(&t);
	mml_triage_replay(&t, &env, &cli.config);
	if (cli.json ? mml_triage_json(stdout, &t) : (mml_triage_markdown(stdout, &t), 0))
		fail_exit("triage: cannot write the JSON");
	fflush(stdout);
	if (cli.minimize)
		minimize_groups(&t, cli.dir, cli.add);
	int status = mml_triage_status(&t);
	mml_triage_free(&t);
	return status;
}

/* Each command reads the words after its name. */
static int (*const commands[CMD_COUNT])(int, char **) = {
	[CMD_RUN] = run_command,
	[CMD_DECODE] = decode_command,
	[CMD_ENCODE] = encode_command,
	[CMD_REPLAY] = replay_command,
	[CMD_SURVEY] = survey_command,
	[CMD_TRIAGE] = triage_command,
	[CMD_STRESS] = stress_command,
};

int main(int argc, char **argv)
{
	cli_help_if_asked(argc, argv);
	enum cli_command command = argc > 1 ? cli_command(argv[1]) : CMD_COUNT;
	if (command == CMD_COUNT) /* no command named: run, with every word */
		return run_command(argc, argv);
	hand_over_kernels(command, argc - 1, argv + 1);
	return commands[command](argc - 1, argv + 1);
}
