/* `mmlitmus stress`: random programs without a fuzzer.  Each worker
 * process draws programs from a seeded stream, encodes them, and runs the
 * bytes as the fuzz targets do (mml_execute: the same decoder, caps and op
 * set), saving every input that fires.  It is the baseline that shows what
 * coverage guidance adds, and the way to run random schedules where no
 * fuzzer is installed.
 *
 * Programs are drawn field by field within the caps and the op set
 * (draw.h), then encoded: random byte strings almost never decode to a
 * program the caps admit (the page count alone is a 24-bit field against
 * a cap of 4096), and mutations of the seed corpus stay near the seeds. */
#ifndef MMLITMUS_STRESS_H
#define MMLITMUS_STRESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "encoding.h"
#include "execution.h"

struct mml_stress_config {
	uint64_t seed;
	unsigned workers;
	double seconds;    /* wall time for the whole run */
	uint64_t programs; /* at most this many programs a worker; 0: no limit */
	const char *dir;   /* where firing inputs are saved */
	bool stop_on_finding;
	FILE *progress;    /* a progress line, or NULL */
	FILE *out;         /* a line per firing input, and the summary */
	volatile sig_atomic_t *stop; /* set asynchronously: stop the workers */
};

struct mml_stress_totals {
	uint64_t run;     /* executions that ran, clean or fired */
	uint64_t skipped; /* not admitted on this machine (huge pages, NUMA) */
	uint64_t errors;  /* the environment stopped the execution */
	uint64_t fired;
	double seconds;
	double first_fired; /* seconds to the first firing input; < 0: none */
	bool worker_failed; /* a worker died or could not save an input */
};

/* The state of worker w's stream: each worker draws its own programs, the
 * same ones for the same seed whatever the number of workers. */
uint64_t mml_stress_stream(uint64_t seed, unsigned worker);

/* Draws the next program of a stream and writes its bytes (at most
 * MML_ENCODING_MAX).  Returns the length, or -1 when no program could be
 * drawn under the env's op set and caps. */
int mml_stress_draw(const struct mml_execution_env *env, uint64_t *rng,
		    uint8_t *bytes);

/* Prints the first `programs` programs of each worker's stream in the
 * text form, running none: what --seed reproduces.  Returns 0 or -1. */
int mml_stress_list(const struct mml_execution_env *env, uint64_t seed,
		    unsigned workers, uint64_t programs, FILE *out);

/* The workers' CPUs: half as many workers as the CPUs this process may
 * use, at least one. */
unsigned mml_stress_default_workers(void);

/* Runs the workers and waits for them.  Returns 0, or -1 with a one-line
 * reason in why when the run could not start. */
int mml_stress_run(const struct mml_execution_env *env,
		   const struct mml_stress_config *c,
		   struct mml_stress_totals *t, char *why, size_t whylen);

#endif
