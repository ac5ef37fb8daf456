/* The kernel tests print a run's whole text report as TAP comments, so
 * that a failed assertion comes with what a person needs to see why. */
#ifndef MMLITMUS_TAP_REPORT_H
#define MMLITMUS_TAP_REPORT_H

#include "report.h"
#include "run.h"

void tap_report(const char *name, const struct mml_program *p,
		const struct mml_config *c, const struct mml_result *r);

/* ok(): a run of one atomic op answers Never.  Some machines let a reader
 * into mmap(MAP_FIXED) in one iteration of thirty (bench/README.md, "The
 * loop mapped its files read-only"); a run that raced less than the
 * threshold there rightly says Inconclusive, and the check is skipped
 * with the count.  A reader that never raced fails it. */
void tap_never(const char *what, const struct mml_config *c,
	       const struct mml_result *r, enum mml_outcome o);

#endif
