/* Reporting, litmus7's way (doc/oracle.md, "Reporting convention"): a histogram
 * of outcome classes, one Observation line, then the evidence; or the same
 * as one JSON object per test. */
#ifndef MMLITMUS_REPORT_H
#define MMLITMUS_REPORT_H

#include <stdio.h>

#include "program.h"
#include "run.h"

enum mml_outcome {
	MML_OUTCOME_NEVER,
	MML_OUTCOME_SOMETIMES,
	MML_OUTCOME_ALWAYS,
	MML_OUTCOME_INCONCLUSIVE, /* Never, but the readers did not race */
};

struct mml_report {
	const char *name;
	const struct mml_program *program;
	const struct mml_config *config;
	const struct mml_result *result;
};

enum mml_outcome mml_report_outcome(const struct mml_report *rep);
const char *mml_outcome_name(enum mml_outcome o);
/* One sentence on why a Never would mean little (for Inconclusive). */
void mml_report_inconclusive_reason(const struct mml_report *rep, char *buf,
				    size_t len);
/* The answer in one line a person reads at a glance: "mapfixed: atomic
 * here. Never in 97,131 iterations, 78.9M racing reads", "FINDING: ...",
 * "INCONCLUSIVE: ..."; the text report opens and closes with it. */
void mml_report_answer(const struct mml_report *rep, char *buf, size_t len);
void mml_report_text(FILE *out, const struct mml_report *rep);
/* A run's counts as a JSON object: the fields the report and each survey
 * cell share (doc/report.schema.json describes them). */
struct json_t *mml_result_json(const struct mml_result *r);
/* The report as a JSON object (doc/report.schema.json), or NULL when it
 * could not be built. */
struct json_t *mml_report_json_object(const struct mml_report *rep);
/* Writes it on one line; returns 0, or -1 when it could not be built. */
int mml_report_json(FILE *out, const struct mml_report *rep);

#endif
