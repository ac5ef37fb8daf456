/* Perturbers (doc/oracle.md, "A litmus program"): a thread that does unrelated mm work
 * in the same process while the ops run, to change the locking and
 * TLB-flush timing around them.  It takes part in each iteration as the
 * readers do (parked between them) but observes nothing. */
#ifndef MMLITMUS_PERTURB_H
#define MMLITMUS_PERTURB_H

#include <stdint.h>

#include "program.h"

struct mml_shared;

struct mml_perturber {
	enum mml_perturb kind;
	struct mml_shared *shared;
	char *scratch; /* a private page of its own to touch */
	char *window;  /* a reserved page of its own to map and unmap */
	uint64_t rounds; /* forks or map-unmap rounds in this run */
};

void *mml_perturber_main(void *arg);

#endif
