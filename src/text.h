/* The text form of a program: one field per line, "key value", in the
 * spirit of litmus7's files.  Reports quote it, `mmlitmus decode` prints it
 * and `mmlitmus encode` and `mmlitmus run` read it.  The canonical text is
 * what mml_program_format writes; parsing it gives the same program back.
 * doc/format.md ("The text form") describes every key. */
#ifndef MMLITMUS_TEXT_H
#define MMLITMUS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "program.h"

void mml_program_format(const struct mml_program *p, char *buf, size_t len);

/* Parses text (NUL-terminated).  Fields left out keep the classic
 * program's values.  Returns 0, or -1 with a one-line reason in why
 * ("line N: ..."). */
int mml_program_parse(const char *text, struct mml_program *p, char *why,
		      size_t whylen);

/* Whether a file's bytes look like the text form rather than the binary
 * one: printable ASCII and whitespace only, starting with a key or '#'. */
bool mml_is_text(const unsigned char *data, size_t len);

#endif
