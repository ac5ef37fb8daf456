/* The parameters an op kind takes (doc/ops.md): a backing, mprotect's
 * protection, piecewise's direction, mremap's source alignment, and flags.
 * One descriptor each holds its words in the text form, its JSON key and
 * its place in the binary form; an op kind names the ones it takes in its
 * class (ops.h, params).  Adding a parameter is a descriptor here, a field
 * of struct mml_op, the bit in the classes that take it, and the op's own
 * code. */
#ifndef MMLITMUS_OPPARAM_H
#define MMLITMUS_OPPARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

struct json_t;

enum {
	/* The bytes of a binary op record that hold parameters (doc/format.md). */
	MML_OP_PARAM_BYTES = 4,
};

/* Sets the parameter the word names, of those op's kind takes; -1 when
 * none has that word. */
int mml_op_param_parse(const char *word, size_t len, struct mml_op *op);
/* Appends ":word" for each parameter op's kind takes, as the text form
 * writes them. */
void mml_op_params_format(const struct mml_op *op, char *buf, size_t len);
/* Sets a key in obj for each parameter op's kind takes. */
void mml_op_params_json(const struct mml_op *op, struct json_t *obj);
/* The parameter bytes of op's binary record; those of parameters its kind
 * does not take are 0, so that a program has one encoding. */
void mml_op_params_encode(const struct mml_op *op, uint8_t bytes[MML_OP_PARAM_BYTES]);
/* The reverse, total: any bytes give values in range, and the parameters
 * op's kind (set already) does not take keep their defaults. */
void mml_op_params_decode(struct mml_op *op, const uint8_t bytes[MML_OP_PARAM_BYTES]);

#endif
