/* The command line of mmlitmus: every command and every flag is one row
 * of a table, and getopt's option tables and the --help text are made
 * from the rows, so that what the code takes and what the help says are
 * one list (tests/test_cli.sh holds mmlitmus(1) to it). */
#ifndef MMLITMUS_CLI_H
#define MMLITMUS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

enum cli_command {
	CMD_RUN, CMD_DECODE, CMD_ENCODE, CMD_REPLAY, CMD_SURVEY, CMD_TRIAGE,
	CMD_STRESS, CMD_COUNT
};

/* One id per long name.  A name that means different things in different
 * commands (--json, --output) has a row per meaning, and its rows share
 * the id: a command's code tells the meanings apart. */
enum cli_flag {
	FLAG_OP, FLAG_BACKING, FLAG_PAGES, FLAG_PAGE_ORDER, FLAG_NO_POPULATE,
	FLAG_READ_ONLY,
	FLAG_READERS, FLAG_READ_ORDER, FLAG_SHARE, FLAG_WRITE, FLAG_READER_YIELD,
	FLAG_PERTURB, FLAG_DELAY, FLAG_MAPPER_CPU, FLAG_PIN, FLAG_NO_PIN,
	FLAG_SECONDS, FLAG_ITERATIONS, FLAG_SEED, FLAG_STOP_ON_FINDING,
	FLAG_STOP_ON_VIOLATION, FLAG_MIN_RACING, FLAG_HUGE_SETUP, FLAG_NAME,
	FLAG_EVIDENCE, FLAG_JSON, FLAG_NO_PROGRESS, FLAG_PLOT, FLAG_HELP,
	FLAG_VERSION, FLAG_RUNS, FLAG_FIRST, FLAG_KERNEL, FLAG_OUTPUT,
	FLAG_BUDGET, FLAG_CELL_SECONDS, FLAG_OPS, FLAG_BACKINGS, FLAG_PAGE_ORDERS,
	FLAG_READ_ORDERS, FLAG_MARKDOWN, FLAG_JSON_FILE, FLAG_EVIDENCE_DIR,
	FLAG_KERNELS, FLAG_MERGE, FLAG_MINIMIZE, FLAG_ADD, FLAG_JOBS, FLAG_PROGRAMS,
	FLAG_DRY_RUN, FLAG_COUNT,
	FLAG_UNKNOWN = FLAG_COUNT /* not taken by the command, or its argument missing */
};

/* getopt_long's tables for one command. */
struct cli_parser {
	enum cli_command command;
	struct option longopts[FLAG_COUNT + 1];
	char shortopts[2 * FLAG_COUNT + 1];
	const char *arg; /* the flag's argument; for FLAG_UNKNOWN, the word */
};

/* The command a word names, or CMD_COUNT. */
enum cli_command cli_command(const char *word);
const char *cli_command_name(enum cli_command c);

/* Starts reading argv from its second word, with getopt's messages off:
 * the commands say what is wrong in one line of their own. */
void cli_parser_init(struct cli_parser *p, enum cli_command c);

/* The next flag of argv, or -1 after the last; operands are moved to the
 * end, from optind on, as getopt_long does.  -h and --help print the help
 * and exit. */
int cli_next(struct cli_parser *p, int argc, char **argv);

/* Whether the flag shapes the program, which a program FILE replaces. */
bool cli_flag_is_program(enum cli_flag f);

/* The long name of the flag after which the command is handed over to
 * tools/kernels, or NULL. */
const char *cli_handover_flag(enum cli_command c);

void cli_help(FILE *out);

/* Prints the help and exits 0 when a word after the command, before "--",
 * is -h or --help: asking for help is never an error. */
void cli_help_if_asked(int argc, char **argv);

#endif
