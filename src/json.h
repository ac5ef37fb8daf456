/* JSON output, one way for every command that prints it (the report,
 * replay, triage, the survey): built with jansson, written whole. */
#ifndef MMLITMUS_JSON_H
#define MMLITMUS_JSON_H

#include <stdio.h>

struct json_t;

/* The version of every JSON format mmlitmus writes: fields are only added
 * within it (doc/output.md, "JSON output"). */
enum { MML_JSON_FORMAT = 1 };

/* Writes doc on one line (indented when indent), then frees it.  A NULL
 * doc is the error of the calls that built it.  Returns 0 or -1. */
int mml_json_write(FILE *out, struct json_t *doc, int indent);

#endif
