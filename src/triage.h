/* Triage of crash files: a night of fuzzing leaves many files of a few
 * shapes.  Group them by a signature a person would call "the same bug",
 * replay one representative per group for a rate, and say what each group
 * is: a finding the reference checker confirmed, an oracle disagreement (a
 * bug of mmlitmus), the control, or a file that did not reproduce
 * (doc/reproducers.md, "Triage"). */
#ifndef MMLITMUS_TRIAGE_H
#define MMLITMUS_TRIAGE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "execution.h"
#include "program.h"

enum mml_triage_verdict {
	MML_TRIAGE_CONFIRMED,    /* a finding the reference checker confirmed */
	MML_TRIAGE_UNCONFIRMED,  /* a finding the reference left undecided */
	MML_TRIAGE_DISAGREEMENT, /* the streaming oracle and the reference disagree */
	MML_TRIAGE_CONTROL,      /* a program with the control fired, as it must */
	MML_TRIAGE_NO_REPRO,     /* no replay fired */
	MML_TRIAGE_NOT_RUN,      /* this machine cannot run it, or the run failed */
	MML_TRIAGE_PENDING,      /* not replayed: the budget ran out, or a signal */
	MML_TRIAGE_VERDICT_COUNT,
};

/* Files that are not programs, by why. */
enum mml_triage_unreadable {
	MML_UNREADABLE_IO,      /* cannot be read, or too large for an input */
	MML_UNREADABLE_EMPTY,   /* no byte: nothing a fuzzer would save */
	MML_UNREADABLE_VERSION, /* a binary input whose version byte is unknown */
	MML_UNREADABLE_TEXT,    /* text that does not parse as a program */
	MML_UNREADABLE_COUNT,
};

struct mml_triage_file {
	char *path;
	size_t size;
	bool is_short; /* shorter than its records: missing bytes read as zero */
	unsigned group;
};

struct mml_triage_group {
	/* Decoding alone: the op kinds, the backing, the page order. */
	char key[160];
	struct mml_program program; /* the smallest file's */
	/* Index into the files: the smallest, or after replays the smallest
	 * that fired. */
	unsigned smallest;
	unsigned nfiles;
	/* From the replays of the smallest file. */
	enum mml_triage_verdict verdict;
	uint64_t fired, runs; /* of the file that fired, else of all tried */
	unsigned tried;       /* files replayed: the smallest, then the next ones */
	int cls;            /* the violation class the first firing shows, or -1 */
	int blamed;         /* the op kind its evidence blames, or -1 */
	unsigned involved;  /* bit per op kind the evidence rests on */
	char why[256];      /* not run: why */
	char answer[512];   /* the first firing's answer line */
	/* After merging groups whose replays show the same signature: the
	 * group this one was merged into, or its own index. */
	unsigned merged_into;
};

struct mml_triage_config {
	uint64_t runs;     /* replays of each group's representative */
	double budget;     /* seconds for all replays */
	const volatile sig_atomic_t *stop;
	FILE *progress;    /* a line per group replayed, or NULL */
};

struct mml_triage {
	struct mml_triage_file *files;
	unsigned nfiles;
	struct mml_triage_group *groups;
	unsigned ngroups;
	unsigned unreadable[MML_UNREADABLE_COUNT];
	unsigned short_files;
	double seconds;
	bool interrupted;
};

/* Adds the files a path names: a file; a directory's regular files; an
 * AFL++ instance directory's crashes/, or the crashes/ of every instance
 * of a sync directory.
 * Returns 0, or -1 with a one-line reason. */
int mml_triage_add_path(struct mml_triage *t, const char *path, char *why,
			size_t len);

/* Decodes every file and groups by decoding alone. */
void mml_triage_group(struct mml_triage *t);

/* Replays each group's representative, the largest groups first, within
 * the budget; then merges groups whose replays show the same signature. */
void mml_triage_replay(struct mml_triage *t, const struct mml_execution_env *env,
		       const struct mml_triage_config *c);

const char *mml_triage_verdict_name(enum mml_triage_verdict v);
/* A file name for the group's program in corpus/regress/. */
void mml_triage_corpus_name(const struct mml_triage *t, unsigned g, char *buf,
			    size_t len);
/* The signature as a person reads it. */
void mml_triage_signature(const struct mml_triage *t, unsigned g, char *buf,
			  size_t len);
/* The groups that stand after merging, as a Markdown table. */
void mml_triage_markdown(FILE *out, const struct mml_triage *t);
int mml_triage_json(FILE *out, const struct mml_triage *t);
/* 3 when a group is an oracle disagreement, 1 when one is a confirmed
 * finding, else 0: the exit status of `mmlitmus triage`. */
int mml_triage_status(const struct mml_triage *t);
void mml_triage_free(struct mml_triage *t);

#endif
