/* `mmlitmus replay`: a program run as a fuzz target runs it, many times,
 * for its reproduction rate. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "crew.h"
#include "execution.h"
#include "json.h"
#include "report.h"

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

int replay_command(int argc, char **argv)
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
