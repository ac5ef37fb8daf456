/* `mmlitmus triage`: crash files grouped, replayed and judged
 * (src/triage.h), and with --minimize handed to the reproducer tools. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cmd.h"
#include "execution.h"
#include "triage.h"

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

int triage_command(int argc, char **argv)
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
