/* What the commands share (src/cmd.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "encoding.h"
#include "hugesetup.h"
#include "plot.h"
#include "text.h"
#include "trace.h"

volatile sig_atomic_t stop_requested;

/* The first signal ends the run after the current iteration; a second
 * ends the process at once, with what --huge-setup changed put back. */
void on_stop(int sig)
{
	if (!stop_requested) {
		stop_requested = 1;
		return;
	}
	mml_huge_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

void catch_stop_signals(void)
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

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_exit(" (see mmlitmus --help)\n", fmt, ap);
}

/* An environment or file error. */
void fail_exit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_exit("\n", fmt, ap);
}

uint64_t parse_number(const char *flag, const char *s, uint64_t max)
{
	uint64_t v;
	if (mml_parse_number(s, max, &v))
		usage_error("%s: '%s' is not a number from 0 to %" PRIu64, flag, s, max);
	return v;
}

double parse_seconds(const char *flag, const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*end || errno || !(v > 0) || v > 1e7)
		usage_error("%s: '%s' is not a positive number of seconds", flag, s);
	return v;
}

void parse_flags(enum cli_command command, int argc, char **argv,
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

void parse_command_flags(enum cli_command command, int argc, char **argv,
			 void (*parse)(void *, int, const char *), void *cli)
{
	parse_flags(command, argc, argv, parse, cli);
	if (optind < argc)
		usage_error("%s: unexpected argument '%s'", cli_command_name(command),
			    argv[optind]);
}

const char *only_file(int argc, char **argv, const char *command)
{
	if (optind >= argc)
		usage_error("%s: a FILE is needed", command);
	if (optind + 1 < argc)
		usage_error("%s: unexpected argument '%s'", command, argv[optind + 1]);
	return argv[optind];
}

/* The whole file, or a one-line error and exit 2. */
unsigned char *read_file(const char *path, size_t *len)
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
void load_program(const char *path, struct mml_program *p)
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

/* The settings go back at every exit: atexit covers returns and the
 * error exits, on_stop a second signal. */
void set_up_huge_pages(const struct mml_program *p)
{
	char why[512];
	atexit(mml_huge_restore);
	if (mml_huge_setup(p, stderr, why, sizeof why))
		fail_exit("%s", why);
}

/* A capture for --plot, or a one-line error. */
struct mml_capture *new_capture(void)
{
	struct mml_capture *c = malloc(sizeof *c);
	if (!c || mml_capture_init(c))
		fail_exit("--plot: out of memory");
	return c;
}

/* Writes the picture; a run with nothing recorded says so. */
void write_plot(const char *path, const char *title, const struct mml_program *p,
		struct mml_capture *c)
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

/* Where tools/NAME is: installed beside mmlitmus as mmlitmus-NAME, else
 * in the source tree this binary was built from. */
void tool_path(const char *name, char *path, size_t size)
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
