/* A picture of a race, as SVG: one lane per reader, x the read number, y
 * the page, colour the value read (a generation, zeros, a hole), the
 * mapper's ops as bands above each lane, and the two reads that make the
 * violation marked and labelled.  Dense traces are drawn as a grid of
 * cells, so 100k pages make a picture of bounded size. */
#ifndef MMLITMUS_PLOT_H
#define MMLITMUS_PLOT_H

#include <stdio.h>

#include "program.h"
#include "trace.h"

/* Returns 0, or -1 when out of memory. */
int mml_plot_svg(FILE *out, const char *title, const struct mml_program *p,
		 const struct mml_capture *c);

#endif
