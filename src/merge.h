/* mmlitmus survey --merge: surveys of several kernels, each one's JSON
 * (survey --json-file), in one Markdown table with a column per survey,
 * each cell folding that survey's read orders of the row into one. */
#ifndef MMLITMUS_MERGE_H
#define MMLITMUS_MERGE_H

#include <stddef.h>
#include <stdio.h>

/* Prints the table of the survey JSON files, a column each in their
 * order.  Returns 0, 1 when a cell that ran had a finding, or -1 with
 * why in err: a file that cannot be read, or is not a survey's JSON. */
int mml_survey_merge(FILE *out, const char *const *files, size_t nfiles,
		     char *err, size_t len);

#endif
