/* One execution of an input, as the fuzz targets and `mmlitmus replay` run
 * it: decode the bytes, admit the program under the environment's caps and
 * op set, run its `repeat` iterations within the time cap, and say whether
 * it fired.  The fuzz targets are thin shells over this. */
#ifndef MMLITMUS_EXECUTION_H
#define MMLITMUS_EXECUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "program.h"
#include "run.h"

/* Bounds that keep an overnight run from exhausting memory or hanging;
 * each comes from an environment variable (doc/fuzzing.md, "Caps and op
 * sets").  Each lies between 1 and the model's own limit (MML_MAX_PAGES
 * and the like): mml_execution_env refuses anything else, so what draws
 * and mutates programs under the caps does not clamp them again. */
struct mml_caps {
	uint32_t pages;   /* MMLITMUS_MAX_PAGES */
	uint32_t readers; /* MMLITMUS_MAX_READERS */
	uint32_t ops;     /* MMLITMUS_MAX_OPS */
	uint32_t repeat;  /* MMLITMUS_MAX_REPEAT: iterations per execution */
	uint32_t delay;   /* MMLITMUS_MAX_DELAY: spin pauses or sleep ns per op */
	uint32_t ms;      /* MMLITMUS_MAX_MS: wall time per execution */
};

struct mml_execution_env {
	struct mml_caps caps;
	unsigned ops;   /* bit per op kind the fuzzers may run (MMLITMUS_OPS) */
	uint32_t tries; /* MMLITMUS_TRIES: runs of one input until it fires,
			 * so that a minimizer sees a flaky race as a crash */
	bool feedback;  /* MMLITMUS_FEEDBACK=0 turns the behavioural counters
			 * off, to measure what they are worth */
};

enum mml_execution_status {
	MML_EXEC_SKIPPED, /* outside the caps or the op set: not run */
	MML_EXEC_ERROR,   /* the environment stopped the run (see result.error) */
	MML_EXEC_CLEAN,
	MML_EXEC_FIRED,   /* a finding, or a violation in a program with a control */
};

struct mml_execution {
	struct mml_program program;
	struct mml_config config;
	struct mml_result result;
	enum mml_execution_status status;
	const char *skipped; /* why, when skipped */
	bool unavailable;    /* skipped: the machine lacks what it needs (huge.h) */
	struct mml_capture *capture; /* set by the caller for a picture, or NULL */
};

/* Reads the MMLITMUS_* variables.  Returns 0, or -1 with a one-line reason
 * naming the variable. */
int mml_execution_env(struct mml_execution_env *env, char *why, size_t whylen);

/* NULL when the program keeps within the env's caps and op set, else
 * why not. */
const char *mml_execution_bounds(const struct mml_execution_env *env,
				 const struct mml_program *p);

/* NULL when the program may run under env and this machine offers the
 * huge pages it asks for, else why not. */
const char *mml_execution_admit(const struct mml_execution_env *env,
				const struct mml_program *p);

/* Runs a program once: its repeat iterations, at most caps.ms long,
 * stopping at the first iteration that fires. */
void mml_execute_program(const struct mml_execution_env *env, uint64_t seed,
			 struct mml_execution *x);

/* Decodes, admits and runs an input, up to env->tries times until it
 * fires; the seeds derive from the input, so a rerun of the same bytes
 * draws the same schedule. */
void mml_execute(const struct mml_execution_env *env, const uint8_t *data,
		 size_t len, struct mml_execution *x);

/* Whether the arguments are those libFuzzer gives a job of its -fork
 * mode (it alone passes -stop_file). */
bool mml_execution_is_fork_job(int argc, char **argv);

/* A job of libFuzzer's -fork mode outlives its root when the root is
 * killed (the root ends no job, and each job runs up to 300 s more).  The
 * job runs under a shell the root started; a thread watches that shell's
 * parent and ends this process when it is no longer the root.  Returns
 * 0, or -1 when the thread could not start. */
int mml_execution_end_with_root(void);

/* An execution the environment stopped, or skipped because the machine
 * lacks what it needs, is dropped by the fuzzers; say so on stderr the
 * first time and then every 1000th, so that a run in which nothing can
 * execute does not look like a clean one. */
void mml_execution_warn(const struct mml_execution *x);

/* The evidence and the program, for a crash log. */
void mml_execution_report(FILE *out, const char *name,
			  const struct mml_execution *x);

#endif
