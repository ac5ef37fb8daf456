/* The text form of a program: one field per line, "key value", in the
 * spirit of litmus7's files.  Reports quote it, `mmlitmus decode` prints it
 * and `mmlitmus encode` and `mmlitmus run` read it.  The canonical text is
 * what mml_program_format writes; parsing it gives the same program back.
 * doc/format.md ("The text form") describes every key. */
#ifndef MMLITMUS_TEXT_H
#define MMLITMUS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

void mml_program_format(const struct mml_program *p, char *buf, size_t len);

/* The names of the text form, which flags and the JSON use too. */
extern const char *const mml_backing_names[MML_BACKING_COUNT];
extern const char *const mml_align_names[MML_ALIGN_COUNT];

/* A decimal number that fills the whole string and is at most max: the
 * one reading of numbers in flags, program text and the environment. */
int mml_parse_number(const char *s, uint64_t max, uint64_t *out);

const char *mml_backing_name(enum mml_backing b);
const char *mml_order_name(enum mml_read_order o);
const char *mml_delay_name(enum mml_delay d);
const char *mml_align_name(enum mml_align a);
const char *mml_perturb_name(enum mml_perturb x);
int mml_perturb_parse(const char *s, enum mml_perturb *out);
int mml_backing_parse(const char *s, enum mml_backing *out);
int mml_order_parse(const char *s, struct mml_reader *out);
int mml_delay_parse(const char *s, enum mml_delay *kind, uint32_t *amount);
/* SPEC is KIND[:LO-HI][:PARAM]...; the range defaults to the whole region. */
int mml_op_parse(const char *s, uint32_t pages, struct mml_op *out);
void mml_op_format(const struct mml_op *op, char *buf, size_t len);

/* Parses text (NUL-terminated).  Fields left out keep the classic
 * program's values.  Returns 0, or -1 with a one-line reason in why
 * ("line N: ..."). */
int mml_program_parse(const char *text, struct mml_program *p, char *why,
		      size_t whylen);

/* Whether a file's bytes look like the text form rather than the binary
 * one: printable ASCII and whitespace only, starting with a key or '#'. */
bool mml_is_text(const unsigned char *data, size_t len);

#endif
