/* The table of commands and flags (src/cli.c): the getopt tables made from
 * it give each command each flag once, a short form reads as its long
 * name, and the same letter means what its command's row says. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tap.h"

static bool long_names_once(const struct cli_parser *p)
{
	for (const struct option *a = p->longopts; a->name; a++)
		for (const struct option *b = a + 1; b->name; b++)
			if (strcmp(a->name, b->name) == 0)
				return false;
	return true;
}

static bool short_names_once(const struct cli_parser *p)
{
	for (const char *a = p->shortopts; *a; a++)
		if (*a != ':' && strchr(a + 1, *a))
			return false;
	return true;
}

/* The flags COMMAND reads in ARGS, a NULL-terminated list. */
static int read_flags(enum cli_command command, char **args, int *flags, int max)
{
	int argc = 0, n = 0, flag;
	while (args[argc])
		argc++;
	struct cli_parser p;
	cli_parser_init(&p, command);
	while (n < max && (flag = cli_next(&p, argc, args)) != -1)
		flags[n++] = flag;
	return n;
}

/* -X and --NAME both read as FLAG in COMMAND. */
static bool reads_as(enum cli_command command, char letter, const char *name, int flag)
{
	char s[] = {'-', letter, '\0'}, l[64];
	snprintf(l, sizeof l, "--%s", name);
	char *args[] = {"mmlitmus", s, "1", l, "1", NULL};
	int flags[2];
	return read_flags(command, args, flags, 2) == 2 && flags[0] == flag &&
	       flags[1] == flag;
}

static void check_command(enum cli_command c)
{
	struct cli_parser p;
	cli_parser_init(&p, c);
	char what[128];
	snprintf(what, sizeof what, "%s takes each long name once", cli_command_name(c));
	ok(long_names_once(&p), what);
	snprintf(what, sizeof what, "%s takes each short name once", cli_command_name(c));
	ok(short_names_once(&p), what);
}

static bool unknown_in(enum cli_command command, char *word)
{
	char *args[] = {"mmlitmus", word, NULL};
	int flag;
	return read_flags(command, args, &flag, 1) == 1 && flag == FLAG_UNKNOWN;
}

int main(void)
{
	for (int c = 0; c < CMD_COUNT; c++)
		check_command((enum cli_command)c);
	ok(reads_as(CMD_RUN, 'n', "iterations", FLAG_ITERATIONS) &&
	   reads_as(CMD_REPLAY, 'n', "runs", FLAG_RUNS) &&
	   reads_as(CMD_TRIAGE, 'n', "runs", FLAG_RUNS) &&
	   reads_as(CMD_STRESS, 'n', "programs", FLAG_PROGRAMS),
	   "-n is --iterations, --runs or --programs by command");
	ok(reads_as(CMD_RUN, 'o', "op", FLAG_OP) &&
	   reads_as(CMD_ENCODE, 'o', "output", FLAG_OUTPUT) &&
	   reads_as(CMD_TRIAGE, 'o', "output", FLAG_OUTPUT) &&
	   reads_as(CMD_STRESS, 'o', "output", FLAG_OUTPUT),
	   "-o is --op for run, --output elsewhere");
	ok(unknown_in(CMD_SURVEY, "--iterations") && unknown_in(CMD_DECODE, "-o") &&
	   unknown_in(CMD_RUN, "--runs") && unknown_in(CMD_STRESS, "--iterations"),
	   "a flag of another command is unknown");
	ok(strcmp(cli_handover_flag(CMD_REPLAY), "kernel") == 0 &&
	   strcmp(cli_handover_flag(CMD_SURVEY), "kernels") == 0 &&
	   !cli_handover_flag(CMD_RUN) && unknown_in(CMD_REPLAY, "--kernel=6.1"),
	   "--kernel and --kernels hand over, and getopt never reads them");
	ok(cli_flag_is_program(FLAG_OP) && cli_flag_is_program(FLAG_NO_PIN) &&
	   !cli_flag_is_program(FLAG_SEED) && !cli_flag_is_program(FLAG_OUTPUT),
	   "the program flags are those that shape the program");
	return tap_done();
}
