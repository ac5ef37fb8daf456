/* What the oracle's unit tests share (test_oracle.c, test_writer.c): a
 * small program built field by field, its history tables, the ops'
 * policies and one oracle for each of its readers, built without threads;
 * checks that print why they failed; and the TAP lines. */
#ifndef MMLITMUS_TESTS_ORACLE_FIXTURE_H
#define MMLITMUS_TESTS_ORACLE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "history.h"
#include "oracle.h"
#include "program.h"

enum {
	FX_MAX_PAGES = 16,
	FX_KEEP = 8,
	FX_RUN = 7, /* the iteration's tag run */
	FX_READERS = 2,
};

struct fixture {
	struct mml_program p;
	struct mml_history h;
	bool atomic[MML_MAX_OPS + 1];
	uint8_t seen[FX_READERS][FX_MAX_PAGES];
	struct mml_violation kept[FX_READERS][FX_KEEP + MML_CLASS_COUNT];
	struct mml_oracle o[FX_READERS];
	uint64_t next_index; /* of the next read made up for reader 0 */
	bool built;
};

/* A program of pages over backing with one reader and no ops yet. */
void fx_program(struct fixture *f, uint32_t pages, enum mml_backing backing);
void fx_op(struct fixture *f, enum mml_op_kind kind, uint32_t lo, uint32_t hi,
	   enum mml_backing backing, enum mml_prot prot);
/* Tables, policies and a fresh oracle per reader for the program so far;
 * false (with a TAP comment) when they cannot be built. */
bool fx_start(struct fixture *f);
void fx_end(struct fixture *f);

bool check(bool cond, const char *what);
bool check_int(long long got, long long want, const char *what);
bool check_flags(int got, int want, const char *what);
/* Reader r counted exactly n violations, all of class cls with that
 * finding bit. */
bool check_only(const struct fixture *f, unsigned r, enum mml_class cls,
		bool finding, unsigned long long n);

struct scenario {
	const char *name;
	bool (*run)(void);
};

/* A whole TAP run of n scenarios (tap.h); returns the exit status. */
int run_scenarios(const struct scenario *s, unsigned n);

#endif
