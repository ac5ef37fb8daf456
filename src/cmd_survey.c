/* `mmlitmus survey`: the answers matrix, its flags and its outputs. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd.h"
#include "merge.h"
#include "survey.h"
#include "text.h"

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
	/* --merge and its operands, and whether a flag that runs cells came
	 * with them. */
	bool merge, run_flag;
	const char *const *files;
	size_t nfiles;
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

static void parse_survey_flag(void *ctx, int flag, const char *arg)
{
	struct survey_cli *cli = ctx;
	struct mml_survey_filter *f = &cli->filter;
	struct mml_survey_config *c = &cli->config;
	cli->run_flag |= flag != FLAG_MERGE && flag != FLAG_MARKDOWN;
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
	case FLAG_MERGE: cli->merge = true; break;
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
	parse_flags(CMD_SURVEY, argc, argv, parse_survey_flag, cli);
	if (optind < argc && !cli->merge)
		usage_error("survey: unexpected argument '%s'", argv[optind]);
	if (cli->merge && (optind == argc || cli->run_flag))
		usage_error("survey: --merge takes the JSON files and --markdown only");
	cli->files = (const char *const *)argv + optind;
	cli->nfiles = (size_t)(argc - optind);
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

static int merge_command(const struct survey_cli *cli)
{
	FILE *md = cli->markdown ? open_output(cli->markdown) : stdout;
	char why[4400];
	int code = mml_survey_merge(md, cli->files, cli->nfiles, why, sizeof why);
	if (code < 0)
		fail_exit("%s", why);
	if (md != stdout && fclose(md))
		fail_exit("%s: cannot write the table", cli->markdown);
	return code ? EXIT_FINDING : EXIT_CLEAN;
}

/* The outputs are opened before the cells run, so that a bad path fails
 * at once rather than after the whole budget. */
int survey_command(int argc, char **argv)
{
	struct survey_cli cli;
	parse_survey_args(&cli, argc, argv);
	if (cli.merge)
		return merge_command(&cli);
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
