/* The oracle of doc/oracle.md, one reader at a time, in the reader's program
 * order.  It is a pure function of the program's history tables and the
 * observation stream: the reader threads call it inline on every load, and
 * the unit tests feed it hand-written streams without any threads.
 *
 * The mapper publishes one state word: 2j-1 while op j runs, 2j once it
 * returned.  A reader loads it before a read (completed = state / 2) and
 * after it (started = (state + 1) / 2). */
#ifndef MMLITMUS_ORACLE_H
#define MMLITMUS_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "history.h"

/* The read classes, most specific first: a stale read gets the first
 * class that fits.  Then the classes of writer mode (writer.h). */
enum mml_class {
	MML_MISDIRECTED,        /* no op ever puts this value on this page */
	MML_FUTURE,             /* every candidate op had not started */
	MML_SAME_PAGE,          /* this page went back in time for this reader */
	MML_STALE_AFTER_RETURN, /* the covering op had returned, and the reader knew */
	/* Message passing: new-then-stale where another reader had told this
	 * one that the covering op was in effect (sharing on). */
	MML_CAUSALITY,
	MML_HOLE_THEN_DATA,     /* new-then-stale where the new value was a hole */
	MML_NEW_THEN_STALE,     /* cross-page: the op was not atomic */
	/* A store landed in a backing the reader, when it stored, knew had
	 * been replaced on that page. */
	MML_LOST_WRITE,
	MML_MISDIRECTED_WRITE,  /* a word no store of this page could leave there */
	MML_CLASS_COUNT,
};

enum mml_source {
	MML_SRC_INITIAL,   /* nothing learned yet: M = 0 */
	MML_SRC_OWN,       /* the reader's own observation */
	MML_SRC_COMPLETED, /* the mapper's completed counter */
	MML_SRC_PEER,      /* another reader's published knowledge */
};

struct mml_obs {
	uint64_t raw;   /* the word loaded; 0 for a hole */
	uint64_t index; /* read number within the reader's iteration */
	uint32_t page;
	uint32_t sweep;
	uint8_t reader;
	uint8_t value;  /* value id (tag.h) */
	uint8_t before; /* mapper state loaded before the read */
	uint8_t after;  /* mapper state loaded after the read */
};

struct mml_knowledge {
	uint8_t m; /* highest op index known to be in effect */
	enum mml_source source;
	struct mml_obs obs; /* the observation that taught it (own, peer) */
};

struct mml_violation {
	enum mml_class cls;
	bool finding;  /* false: expected under the op's policy */
	uint8_t op;    /* F: the covering op whose effect was missed, or 0 */
	uint32_t run;  /* the iteration's tag run */
	struct mml_knowledge known;
	struct mml_obs obs;
};

struct mml_oracle {
	const struct mml_history *h;
	const bool *atomic; /* per op index: the op's policy (ops.h) */
	struct mml_knowledge k;
	/* Per page: the newest op this reader proved in effect there, i.e. the
	 * largest min(cand ∩ [L, S]) of its reads of the page.  "Saw a
	 * candidate >= F" (doc/oracle.md) is read as "saw a value only an op >= F
	 * explains": an ambiguous value that an earlier op also explains (zeros,
	 * a value restored by mprotect) proves nothing, and counting it would
	 * make an expected new-then-stale a same-page finding. */
	uint8_t *seen;
	uint64_t count[MML_CLASS_COUNT][2]; /* [class][finding] */
	uint64_t early_new; /* new values seen before the op was marked complete */
	unsigned classes;   /* bit per class seen */
	uint32_t run;       /* copied into kept violations */
	/* The first violations, with evidence.  Expected ones take at most
	 * half the room, so a finding after a flood of them is still kept.
	 * The first of each class has a place beyond the room, so that one
	 * class's flood does not hide another class altogether. */
	struct mml_violation *kept;
	unsigned nkept, nkept_expected, keep;
	unsigned nextra;       /* kept beyond the room, first of their class */
	unsigned kept_classes; /* bit per class with a kept violation */
};

enum {
	MML_OBSERVED_RAISED = 1,    /* M went up from the reader's own read */
	MML_OBSERVED_VIOLATION = 2, /* see count[] and kept[] */
	MML_OBSERVED_FINDING = 4,   /* a violation the op's policy forbids */
};

static inline uint8_t mml_state_running(unsigned op) { return (uint8_t)(2 * op - 1); }
static inline uint8_t mml_state_done(unsigned op) { return (uint8_t)(2 * op); }
static inline unsigned mml_state_completed(uint8_t s) { return s / 2u; }
static inline unsigned mml_state_started(uint8_t s) { return (s + 1u) / 2u; }

/* seen must hold h->pages bytes; kept keep + MML_CLASS_COUNT violations,
 * or it may be NULL when keep is 0. */
void mml_oracle_init(struct mml_oracle *o, const struct mml_history *h,
		     const bool *atomic, uint8_t *seen,
		     struct mml_violation *kept, unsigned keep);
/* Forget the previous iteration's knowledge, keep the counts. */
void mml_oracle_reset(struct mml_oracle *o);
/* Knowledge from another reader (sharing on); ignored unless it is news. */
void mml_oracle_learn(struct mml_oracle *o, const struct mml_knowledge *peer);
int mml_oracle_observe_slow(struct mml_oracle *o, const struct mml_obs *ob);
/* Counts a violation, and keeps its evidence while there is room; also for
 * violations judged after the iteration.  Returns MML_OBSERVED_* flags. */
int mml_oracle_record(struct mml_oracle *o, const struct mml_violation *v);

const char *mml_class_name(enum mml_class c);
const char *mml_source_name(enum mml_source s);

/* A class of writer mode: its evidence is a store word, not two reads. */
static inline bool mml_class_is_write(enum mml_class c)
{
	return c == MML_LOST_WRITE || c == MML_MISDIRECTED_WRITE;
}

/* The common read sees the value the page holds at M: nothing to learn and
 * nothing to flag.  What it proves for the page's seen-mark is F itself
 * (no op between F and M covers the page) once F had returned or when it
 * is atomic, and the history's proof (the bound L) while a non-atomic F
 * may still be in flight. */
static inline int mml_oracle_observe(struct mml_oracle *o,
				     const struct mml_obs *ob)
{
	unsigned completed = mml_state_completed(ob->before);
	if (completed > o->k.m) {
		o->k.m = (uint8_t)completed;
		o->k.source = MML_SRC_COMPLETED;
	}
	const struct mml_history *h = o->h;
	size_t at = (size_t)ob->page * h->ngens + o->k.m;
	if (ob->value != h->value[at])
		return mml_oracle_observe_slow(o, ob);
	uint8_t f = h->lastcover[at];
	uint8_t proved = f == o->k.m && completed < f && !o->atomic[f] ? h->proof[at] : f;
	if (proved > o->seen[ob->page])
		o->seen[ob->page] = proved;
	return 0;
}

#endif
