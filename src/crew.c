#include "crew.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

static void *worker_main(void *arg)
{
	struct mml_crew_worker *w = arg;
	uint32_t jobs = 0;
	for (;;) {
		jobs = mml_park_sleep_while(&w->jobs, jobs);
		if (w->quit)
			return NULL;
		w->job(w->arg);
		mml_park_add(&w->done, 1);
	}
}

static int add_worker(struct mml_crew *c)
{
	if (c->nworkers == MML_CREW_MAX)
		return -EAGAIN;
	struct mml_crew_worker *w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->cpu = MML_NO_CPU;
	int err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err) {
		free(w);
		return -err;
	}
	c->workers[c->nworkers] = w;
	return (int)c->nworkers++;
}

static int idle_worker(struct mml_crew *c)
{
	for (unsigned i = 0; i < c->nworkers; i++)
		if (!c->workers[i]->busy)
			return (int)i;
	return add_worker(c);
}

/* From the caller's side while the worker sleeps: it wakes up where it
 * must run.  Unpinned means every CPU the process may use. */
static int pin(struct mml_crew_worker *w, int cpu)
{
	if (w->cpu == cpu)
		return 0;
	cpu_set_t set;
	if (cpu == MML_NO_CPU) {
		if (sched_getaffinity(0, sizeof set, &set) < 0)
			return -errno;
	} else {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
	}
	int err = pthread_setaffinity_np(w->thread, sizeof set, &set);
	if (err)
		return -err;
	w->cpu = cpu;
	return 0;
}

int mml_crew_start(struct mml_crew *c, int cpu, void *(*job)(void *),
		   void *arg)
{
	int i = idle_worker(c);
	if (i < 0)
		return i;
	struct mml_crew_worker *w = c->workers[i];
	int err = pin(w, cpu);
	if (err)
		return err;
	w->job = job;
	w->arg = arg;
	w->busy = true;
	mml_park_add(&w->jobs, 1); /* seq_cst: the job is visible to the worker */
	return i;
}

void mml_crew_wait(struct mml_crew *c, int worker)
{
	struct mml_crew_worker *w = c->workers[worker];
	uint32_t started = atomic_load(&w->jobs.word);
	uint32_t now;
	while ((now = atomic_load(&w->done.word)) != started)
		mml_park_while(&w->done, now);
	w->busy = false;
}

void mml_crew_close(struct mml_crew *c)
{
	for (unsigned i = 0; i < c->nworkers; i++) {
		struct mml_crew_worker *w = c->workers[i];
		w->quit = true;
		mml_park_add(&w->jobs, 1);
		pthread_join(w->thread, NULL);
		free(w);
		c->workers[i] = NULL;
	}
	c->nworkers = 0;
}

static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

int mml_program_place(struct mml_program *p)
{
	int cpus[CPU_SETSIZE];
	int n = allowed_cpus(cpus, CPU_SETSIZE);
	if (p->mapper_cpu == MML_AUTO_CPU)
		p->mapper_cpu = n > 1 ? cpus[0] : MML_NO_CPU;
	int others[CPU_SETSIZE], m = 0;
	for (int i = 0; i < n; i++)
		if (cpus[i] != p->mapper_cpu)
			others[m++] = cpus[i];
	unsigned next = 0;
	for (unsigned i = 0; i < p->nreaders; i++) {
		struct mml_reader *r = &p->readers[i];
		if (r->cpu != MML_AUTO_CPU)
			continue;
		r->cpu = n > 1 && m > 0 ? others[next++ % (unsigned)m] : MML_NO_CPU;
	}
	return n;
}
