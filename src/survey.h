/* The survey: a fixed, bounded matrix of litmus cells, every op shape x
 * backing x page order x read order that this machine supports, each run
 * for an even share of one time budget, and the answers table it makes,
 * as Markdown for people and JSON with every number. */
#ifndef MMLITMUS_SURVEY_H
#define MMLITMUS_SURVEY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "program.h"
#include "report.h"
#include "run.h"

enum mml_cell_status {
	MML_CELL_PENDING, /* planned to run */
	MML_CELL_RAN,
	MML_CELL_NA,      /* the model refuses the program (mml_program_check) */
	MML_CELL_SKIPPED, /* this machine cannot run it, or the run failed */
};

/* A cell's control (doc/output.md, "Calibration"): the cell's program with
 * piecewise, the control op, in place of the row's op, over its range.
 * Cells whose controls are the same program share one run, which gets the
 * share of each of them. */
struct mml_survey_control {
	struct mml_program program;
	enum mml_cell_status status;
	/* Why it did not run; or, when it ran over another backing than its
	 * cells', why not theirs. */
	char reason[256];
	uint64_t iterations, violation_iterations;
	double seconds;
	unsigned shared; /* cells whose control this is */
};

/* A rate's 95 % interval, per iteration. */
struct mml_rate {
	double low, high;
};

struct mml_survey_cell {
	unsigned shape; /* mml_survey_shape_name(shape) */
	enum mml_backing backing;
	unsigned page_order;
	enum mml_read_order read_order;
	struct mml_program program;
	enum mml_cell_status status;
	enum mml_outcome outcome; /* when it ran */
	/* Why it did not run, or why a run is Inconclusive; else empty. */
	char reason[256];
	struct mml_result result;
	/* The control of its shape; NULL when the cell is not to run. */
	const struct mml_survey_control *control;
	/* The file name the program and picture of a cell with a violation
	 * were written under, without .bin or .svg; empty when none. */
	char evidence[96];
};

/* Which cells to plan: a bit per shape, backing, page order, read order;
 * 0 in a field means its default (every shape and backing, the page orders
 * of mml_survey_default_orders, the four read orders). */
struct mml_survey_filter {
	uint32_t shapes, backings, page_orders, read_orders;
};

struct mml_survey_config {
	double budget;       /* seconds for all the cells that run */
	double cell_seconds; /* when above 0: each cell's seconds, no budget */
	uint64_t seed;
	uint64_t min_racing;
	const char *command; /* as typed, for the header */
	FILE *progress;      /* a line per cell, or NULL */
	volatile sig_atomic_t *stop; /* set asynchronously: run no more cells */
	/* Where a cell with a violation leaves its program (NAME.bin) and a
	 * picture of its first such iteration (NAME.svg); NULL: nowhere. */
	const char *evidence_dir;
};

struct mml_survey {
	struct mml_survey_cell *cells;
	size_t ncells;
	struct mml_survey_control *controls;
	size_t ncontrols;
	struct mml_survey_filter filter; /* as planned, defaults resolved */
	struct mml_survey_config config;
	double planned_cell_seconds; /* each cell's share when the survey began */
	double seconds;              /* the whole survey's wall time */
	time_t started;
	double load; /* 1-minute load average when it began: others' work */
	bool interrupted;
	/* The first evidence file that could not be written, and why. */
	char evidence_error[4352];
};

unsigned mml_survey_shape_count(void);
const char *mml_survey_shape_name(unsigned shape);
/* Returns the shape's index, or -1 when no shape has that name. */
int mml_survey_shape_parse(const char *name);
/* Returns the read order when it is one the survey uses, else -1. */
int mml_survey_read_order_parse(const char *name);
/* Page order 0, order 9 (THP and hugetlb), and every order in between
 * that this machine turns THP on for: a bit per order. */
uint32_t mml_survey_default_orders(void);

/* Plans every cell the filter selects: builds its program and decides
 * whether it can run.  Returns 0, or -1 when out of memory. */
int mml_survey_plan(struct mml_survey *s, const struct mml_survey_filter *f);
size_t mml_survey_pending(const struct mml_survey *s);
/* Runs the pending cells in order; a cell whose run fails is skipped with
 * the run's reason. */
void mml_survey_run(struct mml_survey *s, const struct mml_survey_config *c);
void mml_survey_free(struct mml_survey *s);
/* Whether any cell that ran has a finding. */
bool mml_survey_has_finding(const struct mml_survey *s);

/* k of n iterations showed a violation: the 95 % interval of the rate per
 * iteration.  k = 0 gives [0, 3/n], the rule of three; else the Wilson
 * score interval (doc/output.md, "Rates"). */
struct mml_rate mml_rate_interval(uint64_t k, uint64_t n);

/* Whether the cell's control showed a violation in some iteration. */
bool mml_survey_calibrated(const struct mml_survey_cell *c);

/* A rate as a percentage in a few characters: 0.014%, 1.2%, 45%. */
void mml_survey_rate_text(double rate, char *buf, size_t len);

/* The 95 % interval of k of n as the table writes it: "0.081-0.39%". */
void mml_survey_interval_text(uint64_t k, uint64_t n, char *buf, size_t len);

/* A region's size as the table writes it, "16 x 4 KiB" or "2 x 2 MiB":
 * its folios of 2^order base pages of page_bytes each. */
void mml_survey_pages_text(uint64_t pages, unsigned order, uint64_t page_bytes,
			   char *buf, size_t len);

/* A count in at most four characters: 999, 1.2k, 21k, 1.2M, 12M, 3.0G. */
void mml_survey_count_text(uint64_t n, char *buf, size_t len);
/* What one cell of the table says, e.g. "Never ≤0.014% (21k it, 1.2M
 * racing; control 5.1k of 5.2k)", "Never, uncalibrated ..." or
 * "Sometimes: hole-then-data 12 of 21345 it (0.032-0.099%; first 310 ms)". */
void mml_survey_cell_text(const struct mml_survey_cell *c, char *buf,
			  size_t len);

/* Return 0, or -1 when the output could not be built or written. */
int mml_survey_markdown(FILE *out, const struct mml_survey *s);
int mml_survey_json(FILE *out, const struct mml_survey *s);

#endif
