/* `mmlitmus stress`: random programs in worker processes (src/stress.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "execution.h"
#include "stress.h"

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

int stress_command(int argc, char **argv)
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
