/* `mmlitmus [run]`: one litmus test, from the flags or a program FILE,
 * and the answer whether the mapping change was atomic as the readers saw
 * it. */
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "crew.h"
#include "ops.h"
#include "report.h"
#include "run.h"
#include "text.h"

#define VERSION "0.1"

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
	case FLAG_READ_ONLY: p->read_only = true; break;
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

int run_command(int argc, char **argv)
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
