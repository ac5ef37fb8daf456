/* A crew: threads kept parked between runs, so that a run hands its
 * readers and its perturber to threads that already exist instead of
 * creating and joining them.  A fuzz target runs thousands of short
 * programs a second in one process, and thread start-up, pinning and exit
 * would otherwise be paid on each.
 *
 * A job is a function the worker runs to its end (a reader's or the
 * perturber's main); the worker then parks until the next one.  Each job
 * names the CPU it runs on (or none); a worker is moved only when that
 * changes, so a fuzz target's executions do not migrate their readers. */
#ifndef MMLITMUS_CREW_H
#define MMLITMUS_CREW_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include "park.h"
#include "program.h"

enum { MML_CREW_MAX = MML_MAX_READERS + 1 };

struct mml_crew_worker {
	struct mml_parking jobs; /* jobs handed over; a new value wakes it */
	struct mml_parking done; /* jobs finished */
	void *(*job)(void *);
	void *arg;
	bool quit;
	bool busy;
	int cpu; /* where it is pinned, MML_NO_CPU: where the process may run */
	pthread_t thread;
};

struct mml_crew {
	struct mml_crew_worker *workers[MML_CREW_MAX];
	unsigned nworkers;
};

/* Runs job(arg) on an idle worker pinned to cpu (MML_NO_CPU: unpinned),
 * starting one when none is idle.  Returns the worker's number for
 * mml_crew_wait, or -errno. */
int mml_crew_start(struct mml_crew *c, int cpu, void *(*job)(void *),
		   void *arg);
/* Waits until the worker's job returned; the worker is idle again. */
void mml_crew_wait(struct mml_crew *c, int worker);
/* Stops and joins every worker; the crew can be used again. */
void mml_crew_close(struct mml_crew *c);

/* Resolves MML_AUTO_CPU in a program: the mapper on the first CPU this
 * thread may use, the readers round-robin on the others, so that each
 * reader can overlap the mapper.  With one CPU nothing is pinned.  Returns
 * the CPU count. */
int mml_program_place(struct mml_program *p);

#endif
