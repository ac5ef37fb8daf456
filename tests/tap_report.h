/* The kernel tests print a run's whole text report as TAP comments, so
 * that a failed assertion comes with what a person needs to see why. */
#ifndef MMLITMUS_TAP_REPORT_H
#define MMLITMUS_TAP_REPORT_H

#include "run.h"

void tap_report(const char *name, const struct mml_program *p,
		const struct mml_config *c, const struct mml_result *r);

#endif
