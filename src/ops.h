/* The mapper's ops.  Each kind is one row of a table in ops.c: its name, its
 * policy (doc/oracle.md, "Policies"), what it does to the value a reader
 * sees on a page (for the oracle's tables), and the syscalls that do it.
 * Adding an op is adding a row and its functions. */
#ifndef MMLITMUS_OPS_H
#define MMLITMUS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backing.h"
#include "program.h"
#include "tag.h"

/* What a page looks like to a reader, as far as the oracle cares. */
struct mml_page_state {
	uint8_t content; /* value id of what is mapped: a generation, ZERO, or
			  * HOLE for a file page cut off by ftruncate */
	/* A second value the page may show as well, MML_V_BAD when none:
	 * MADV_FREE leaves the old content until reclaim takes the page, and
	 * zeros after. */
	uint8_t alt;
	/* The generation whose file is mapped there, MML_V_BAD for private
	 * anonymous memory: what truncate and punch cut, and where a store
	 * lands, whatever the page reads as (zeros after a hole punch). */
	uint8_t file;
	bool readable;
	bool shared; /* file-backed: MADV_DONTNEED keeps the content */
	bool locked; /* mlock'ed: the kernel refuses MADV_DONTNEED and FREE */
};

/* Everything an op acts on during one run. */
struct mml_target {
	char *base; /* the region */
	size_t page_size;
	struct mml_store *stores; /* per op index; [0] is the initial backing */
	char **staging;           /* per op index: mremap's prepared mapping */
	uint32_t run;             /* this iteration's tag run */
	uint32_t step;            /* pages per folio: 1 << page_order */
	int far_node;             /* migrate: a NUMA node to move pages to */
};

enum {
	MML_PARAM_BACKING = 1,
	MML_PARAM_PROT = 2,
	MML_PARAM_DIRECTION = 4,
	MML_PARAM_ALIGN = 8,
	MML_PARAM_DONTUNMAP = 16,
	MML_PARAM_MAPFLAGS = 32, /* populate, locked */
};

struct mml_op_class {
	const char *name;
	bool atomic;     /* a violation of any kind is a finding */
	/* A deliberately non-atomic op (doc/oracle.md, "Policies"): a program that
	 * holds one fires on any violation, so that the fuzzers, replay and
	 * minimization can be shown to work end to end. */
	bool control;
	/* Atomic only within one VMA: the kernel applies the op VMA by VMA,
	 * and since per-VMA locks (Linux 6.4) a fault on a VMA the op has not
	 * reached yet is served under that VMA's own lock, with the old
	 * state, while the VMAs already done show the new one. */
	bool per_vma;
	/* Changes the VMAs over its range (maps, unmaps, moves, changes
	 * flags), so the region's VMA is split at the range's ends. */
	bool splits;
	/* Moves a mapping prepared before the readers start (mremap's source). */
	bool staged;
	/* Gives pages of a backing file back (truncate, hole punch): the next
	 * iteration must allocate them again. */
	bool releases_file;
	/* Best effort (no swap, no huge page to collapse into, one NUMA
	 * node): apply's -errno is the kernel refusing the op, which the run
	 * counts per op and goes on (doc/oracle.md, "Vacuity: a Never must
	 * be earned"), not an error. */
	bool best_effort;
	unsigned params; /* MML_PARAM_* the op takes */
	bool needs_store; /* maps a generation of its own */
	/* What the op does to page `page` of [lo, hi) in the model. */
	void (*effect)(const struct mml_op *op, unsigned gen, uint32_t page,
		       uint32_t folio, struct mml_page_state *s);
	/* NULL when the op can act on a page in state s; else why not (the
	 * kernel would refuse it).  NULL for ops that take any page. */
	const char *(*refuses)(const struct mml_page_state *s);
	/* Per-iteration set-up before readers start; NULL when none. */
	int (*prepare)(const struct mml_target *t, const struct mml_op *op,
		       unsigned gen);
	/* The op itself, up to the syscall that makes its visible change.
	 * Returns 0 or -errno. */
	int (*apply)(const struct mml_target *t, const struct mml_op *op,
		     unsigned gen);
	/* What the op still does once its visible change returned
	 * (re-reserving a range it left); NULL when nothing.  The runner
	 * marks the change done in between, so that readers stop counting
	 * reads as racing the op (run.c, apply_op).  Returns 0 or -errno. */
	int (*finish)(const struct mml_target *t, const struct mml_op *op,
		      unsigned gen);
};

const struct mml_op_class *mml_op_class(enum mml_op_kind kind);

bool mml_program_has_control(const struct mml_program *p);

/* The ops' preconditions over a program's page states: NULL when every op
 * can run, else a reason, with *op set to the first op (0-based) the
 * kernel would refuse. */
const char *mml_ops_check(const struct mml_program *p, unsigned *op);

/* The state every page starts an iteration in. */
struct mml_page_state mml_initial_state(const struct mml_program *p);

/* Pages the staged mapping of a grow op holds before it grows: half the
 * range, in whole folios of `folio` pages. */
uint32_t mml_grow_from(const struct mml_op *op, uint32_t folio);

/* A NUMA node other than the first online one, or -1 when there is one
 * node: where migrate moves pages to. */
int mml_far_node(void);

/* The first page x > after where an op earlier than j (1-based) may
 * have left a VMA boundary, between pages x - 1 and x, or UINT32_MAX: at
 * an end of its range, or inside it (shrink, piecewise).  These cut a
 * per-VMA op's range into the pieces it applies one by one
 * (doc/oracle.md, "Policies"). */
uint32_t mml_op_next_vma_boundary(const struct mml_program *p, unsigned j,
				  uint32_t after);

/* Whether such a boundary may lie strictly inside the range of op j. */
bool mml_op_may_span_vmas(const struct mml_program *p, unsigned j);

/* The policy of op number j (1-based) of a program: its class's, except
 * that a per-VMA op whose range may span several VMAs is not atomic. */
bool mml_op_atomic(const struct mml_program *p, unsigned j);
/* Returns -1 when no op has that name. */
int mml_op_kind_parse(const char *name);
/* A bit per op kind the program holds. */
unsigned mml_program_kinds(const struct mml_program *p);
/* Each kind of the mask once, in the catalog's order: "munmap+dontneed". */
void mml_op_kinds_text(unsigned kinds, char *buf, size_t len);

static inline uint8_t mml_page_visible(const struct mml_page_state *s)
{
	return s->readable ? s->content : MML_V_HOLE;
}

static inline uint8_t mml_page_visible_alt(const struct mml_page_state *s)
{
	return s->readable ? s->alt : MML_V_BAD;
}

#endif
