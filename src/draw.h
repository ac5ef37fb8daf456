/* Random programs, field by field, within the caps and the op set: what
 * `mmlitmus stress` runs whole, and what the structure-aware mutator
 * (mutate.h) draws its changes from.
 *
 * Sizes that make an execution slow (pages, iterations, readers, ops,
 * spin delays) favour small powers of two, so that a worker runs many
 * programs a second and the large ones still come; huge pages are drawn
 * now and then, so that a machine that offers them runs them.  Every draw
 * comes from one splitmix64 stream: the same state draws the same fields. */
#ifndef MMLITMUS_DRAW_H
#define MMLITMUS_DRAW_H

#include <stdbool.h>
#include <stdint.h>

#include "execution.h"
#include "program.h"

/* A whole program: region, knobs, readers and ops (at least one op when
 * the op set allows one; nops is 0 when none fitted). */
void mml_draw_program(const struct mml_execution_env *env, uint64_t *rng,
		      struct mml_program *p);

/* Generation 0's backing, the page order and the page count: two folios
 * at least, within the cap. */
void mml_draw_region(const struct mml_caps *caps, uint64_t *rng,
		     struct mml_program *p);

/* A page order other than current, the PMD order half the time. */
unsigned mml_draw_order(uint64_t *rng, unsigned current);

/* The page count alone, in whole folios of the program's order: two at
 * least, within the cap; false when two folios exceed it. */
bool mml_draw_pages(const struct mml_caps *caps, uint64_t *rng,
		    struct mml_program *p);

/* Delay, reader-yield, mapper CPU, repeat, populate, share, write,
 * read-only and the perturber. */
void mml_draw_knobs(const struct mml_caps *caps, uint64_t *rng,
		    struct mml_program *p);

/* A read order and its parameter for the program's region. */
void mml_draw_reader(const struct mml_program *p, uint64_t *rng,
		     struct mml_reader *r);

/* An op's page range, in the units the input format has (whole huge
 * pages with hugetlb), the whole region a third of the time. */
void mml_draw_range(const struct mml_program *p, uint64_t *rng,
		    struct mml_op *op);

/* The parameters the op's kind takes (backing, prot, direction, ...). */
void mml_draw_params(const struct mml_program *p, uint64_t *rng,
		     struct mml_op *op);

/* Whether op j (1-based) can follow the ops before it. */
bool mml_op_fits(struct mml_program *p, unsigned j);

/* Op j (1-based) of a kind in set, drawn until it fits after the ops
 * before it, a few times; false when none did. */
bool mml_draw_op(struct mml_program *p, unsigned set, unsigned j,
		 uint64_t *rng);

#endif
