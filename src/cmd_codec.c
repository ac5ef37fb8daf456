/* `mmlitmus decode` and `mmlitmus encode`: a program from one form to the
 * other (doc/format.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "encoding.h"
#include "text.h"

int decode_command(int argc, char **argv)
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

int encode_command(int argc, char **argv)
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
