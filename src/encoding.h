/* The binary form of a program: what fuzzers mutate and crash files hold.
 *
 * Decoding is total: every byte string, the empty one included, decodes to
 * a program that passes mml_program_check, and no byte past the input is
 * read (missing bytes read as zero).  Every field has a fixed offset and
 * width, so a mutation of one byte changes one field; numbers are reduced
 * into their range, never refused.
 *
 * The first byte is the version.  A version fixes every field and table:
 * adding an op kind, a backing or a field makes a new version, and the
 * decoder keeps reading the old ones the old way, so a corpus file means
 * the same program in later releases.  An unknown version byte is read as
 * the newest version.  The layout is documented field by field in doc/format.md
 * ("The input format"). */
#ifndef MMLITMUS_ENCODING_H
#define MMLITMUS_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

enum {
	MML_ENCODING_V1 = 1, /* 6 op kinds, 3 backings, page order 0 */
	MML_ENCODING_V2 = 2, /* page orders, the op catalog, writers, perturbers */
	MML_ENCODING_NEWEST = MML_ENCODING_V2,
	/* Record sizes of the newest version. */
	MML_ENCODING_HEADER = 23,
	MML_ENCODING_OP = 11,
	MML_ENCODING_READER = 6,
	MML_ENCODING_MAX = MML_ENCODING_HEADER + MML_MAX_OPS * MML_ENCODING_OP +
			   MML_MAX_READERS * MML_ENCODING_READER,
};

/* Returns the version the bytes were read as; *known (may be NULL) says
 * whether the version byte named it. */
unsigned mml_decode(const uint8_t *data, size_t len, struct mml_program *p,
		    bool *known);

/* Writes the canonical bytes of a valid program (at most
 * MML_ENCODING_MAX) in the newest version.  Returns the length, or -1 with
 * a one-line reason when the version cannot express the program. */
int mml_encode(const struct mml_program *p, uint8_t *buf, size_t len,
	       const char **why);

#endif
