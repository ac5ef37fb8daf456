/* TAP for the C tests: one numbered line per check, and the plan printed
 * last (TAP allows it there), so that no test counts its checks by hand. */
#ifndef MMLITMUS_TAP_H
#define MMLITMUS_TAP_H

#include <stdbool.h>

void ok(bool pass, const char *what);
/* The whole test is skipped: "1..0 # SKIP why".  Returns 0. */
int tap_skip_all(const char *why);
/* Prints the plan, unless the test was skipped; returns the exit status,
 * 1 when a check failed. */
int tap_done(void);

#endif
