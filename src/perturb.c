#include "perturb.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backing.h"
#include "reader.h"

/* fork: the parent's page tables are copied and its private pages write-
 * protected under the mmap write lock, the race that per-VMA locks (Linux
 * 6.4) first got wrong.  The child writes to a private page, so that it
 * takes a copy-on-write fault, and exits. */
static void fork_once(struct mml_perturber *t)
{
	/* The child forks with every signal blocked: a SIGTERM or SIGINT sent
	 * to the whole group (by timeout, a fuzzer stopping) stays pending in
	 * it until its _exit, so it never runs the fuzzer's handler or ours,
	 * which in a child of a threaded process could wait forever on a lock
	 * (malloc's) that another thread held at the fork.  The parent thread
	 * gets its mask back at once: a crew thread is a perturber in one
	 * execution and a reader, whose guarded reads need SIGSEGV and SIGBUS,
	 * in the next. */
	sigset_t all, mask;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &mask);
	pid_t pid = fork();
	if (pid == 0) {
		t->scratch[0]++;
		_exit(0);
	}
	pthread_sigmask(SIG_SETMASK, &mask, NULL);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

/* mmap: a VMA appears and goes away elsewhere in the mm, taking the mmap
 * write lock twice and changing the VMA tree.  Always inside the
 * perturber's own reserved page: mmap(NULL) could land in the hole an op
 * leaves for a moment (munmap before its range is reserved again, an
 * mremap source), and the mapper's reservation would then replace it. */
static void map_once(struct mml_perturber *t)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(t->window, page, PROT_READ | PROT_WRITE,
		       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	mml_reserve(t->window, page);
}

static void perturb_iteration(struct mml_perturber *t)
{
	struct mml_shared *sh = t->shared;
	while (atomic_load_explicit(&sh->state, memory_order_acquire) !=
	       sh->final_state) {
		if (t->kind == MML_PERTURB_FORK)
			fork_once(t);
		else
			map_once(t);
		t->rounds++;
	}
}

void *mml_perturber_main(void *arg)
{
	struct mml_perturber *t = arg;
	struct mml_shared *sh = t->shared;
	mml_park_add(&sh->arrived, 1);
	uint32_t iteration = 0;
	for (;;) {
		iteration = mml_park_while(&sh->go, iteration);
		if (atomic_load(&sh->quit))
			break;
		mml_park_add(&sh->running, 1);
		perturb_iteration(t);
		mml_park_add(&sh->arrived, 1);
	}
	return NULL;
}
