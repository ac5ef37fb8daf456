/* The commands of mmlitmus, one file each (src/cmd_*.c), and what they
 * share: how they fail, read their flags and numbers, load a program,
 * stop on a signal, draw a picture and find the tools. */
#ifndef MMLITMUS_CMD_H
#define MMLITMUS_CMD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

struct mml_capture;
struct mml_program;

enum { EXIT_CLEAN = 0, EXIT_FINDING = 1, EXIT_USAGE = 2, EXIT_DISAGREEMENT = 3 };

/* Each reads the words after the command's name; run's are every word
 * when no command is named. */
int run_command(int argc, char **argv);
int decode_command(int argc, char **argv);
int encode_command(int argc, char **argv);
int replay_command(int argc, char **argv);
int survey_command(int argc, char **argv);
int triage_command(int argc, char **argv);
int stress_command(int argc, char **argv);

/* Set by the first SIGINT, SIGTERM or SIGHUP: the command ends after what
 * it is doing. */
extern volatile sig_atomic_t stop_requested;
void on_stop(int sig);
void catch_stop_signals(void);

/* One line on stderr, then exit 2: bad usage, which points at --help,
 * or an environment or file error. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fail_exit(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

uint64_t parse_number(const char *flag, const char *s, uint64_t max);
double parse_seconds(const char *flag, const char *s);

/* Reads a command's flags, each with parse(ctx, flag, arg) (NULL for a
 * command that takes none but -h); an unknown one is a usage error.  The
 * operands are left from optind on. */
void parse_flags(enum cli_command command, int argc, char **argv,
		 void (*parse)(void *, int, const char *), void *ctx);
/* The same for a command that takes no operand. */
void parse_command_flags(enum cli_command command, int argc, char **argv,
			 void (*parse)(void *, int, const char *), void *ctx);
/* The one FILE operand of decode, encode and replay. */
const char *only_file(int argc, char **argv, const char *command);

unsigned char *read_file(const char *path, size_t *len);
void load_program(const char *path, struct mml_program *p);

void set_up_huge_pages(const struct mml_program *p);
struct mml_capture *new_capture(void);
void write_plot(const char *path, const char *title, const struct mml_program *p,
		struct mml_capture *c);

void tool_path(const char *name, char *path, size_t size);

#endif
