#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "draw.h"
#include "rng.h"
#include "text.h"

/* ---- Drawing programs (draw.h) ---- */

int mml_stress_draw(const struct mml_execution_env *env, uint64_t *rng,
		    uint8_t *bytes)
{
	for (int tries = 0; tries < 100; tries++) {
		struct mml_program p;
		mml_draw_program(env, rng, &p);
		const char *why;
		int len = p.nops ? mml_encode(&p, bytes, MML_ENCODING_MAX, &why) : -1;
		if (len > 0)
			return len;
	}
	return -1;
}

/* The seed is mixed once, so that seeds 1 and 2 give unrelated streams.
 * The workers' states lie a multiple of an odd constant apart: for up to
 * 1024 workers (the -j limit) at least 2^52 of splitmix64's steps, so no
 * stream runs into another's. */
uint64_t mml_stress_stream(uint64_t seed, unsigned worker)
{
	uint64_t state = seed;
	uint64_t mixed = mml_rng_next(&state);
	return mixed + (uint64_t)worker * UINT64_C(0xD1B54A32D192ED03);
}

/* ---- Workers ---- */

/* What the workers and the parent share, in memory mapped before the
 * fork: the counts survive a worker killed part-way. */
struct worker_counts {
	_Atomic uint64_t run, skipped, errors, fired;
};

struct board {
	_Atomic bool stop_all;        /* --stop-on-finding: one fired */
	_Atomic uint64_t first_fired; /* ns from the start; UINT64_MAX none */
	struct worker_counts workers[];
};

struct stress {
	const struct mml_execution_env *env;
	const struct mml_stress_config *c;
	struct board *board;
	double started, deadline; /* CLOCK_MONOTONIC seconds */
};

static volatile sig_atomic_t worker_stop;

static void on_worker_stop(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/* A worker finishes the execution it is in, then leaves; it dies with
 * its parent, so that no worker outlives a killed run. */
static void become_worker(pid_t parent)
{
	struct sigaction sa = {.sa_handler = on_worker_stop, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(2);
}

static int cpu_list(int *cpus)
{
	cpu_set_t set;
	int n = 0;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

unsigned mml_stress_default_workers(void)
{
	int cpus[CPU_SETSIZE];
	int n = cpu_list(cpus);
	return n / 2 > 1 ? (unsigned)n / 2 : 1;
}

/* Each execution places its mapper on the first CPU it may use and its
 * readers on the others; workers given the same CPUs would all put their
 * mappers on one.  So worker w gets a share of its own, of two CPUs at
 * least, where there are enough. */
static void restrict_cpus(unsigned w, unsigned workers)
{
	int cpus[CPU_SETSIZE];
	int n = cpu_list(cpus);
	if (n < 2 || workers < 2)
		return;
	unsigned share = (unsigned)n / workers < 2 ? 2 : (unsigned)n / workers;
	cpu_set_t set;
	CPU_ZERO(&set);
	for (unsigned k = 0; k < share; k++)
		CPU_SET(cpus[(w * share + k) % (unsigned)n], &set);
	sched_setaffinity(0, sizeof set, &set);
}

/* Written aside and renamed, so that a worker killed while it writes
 * leaves no partial input behind. */
static int save_input(const char *dir, const char *name, const uint8_t *bytes,
		      size_t len)
{
	char tmp[4096], path[4096];
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	bool bad = write(fd, bytes, len) != (ssize_t)len;
	bad |= close(fd) != 0;
	if (bad || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

static void note_first(struct board *b, double elapsed)
{
	uint64_t ns = (uint64_t)(elapsed * 1e9);
	uint64_t old = atomic_load(&b->first_fired);
	while (ns < old && !atomic_compare_exchange_weak(&b->first_fired, &old, ns))
		;
}

/* One line in one write, so that workers' lines do not interleave. */
static int report_firing(const struct stress *s, unsigned w, uint64_t k,
			 const uint8_t *bytes, size_t len)
{
	char name[128];
	snprintf(name, sizeof name, "crash-%" PRIu64 "-%u-%" PRIu64, s->c->seed, w, k);
	int err = save_input(s->c->dir, name, bytes, len);
	double elapsed = mml_now_seconds() - s->started;
	char line[4400];
	int n = err ? snprintf(line, sizeof line, "mmlitmus: %s/%s: %s\n",
			       s->c->dir, name, strerror(-err))
		    : snprintf(line, sizeof line, "Fired %s/%s (worker %u, program %"
			       PRIu64 ", after %.3f s)\n", s->c->dir, name, w, k, elapsed);
	if (write(err ? STDERR_FILENO : fileno(s->c->out), line, (size_t)n) < 0)
		err = err ? err : -errno;
	note_first(s->board, elapsed);
	if (s->c->stop_on_finding)
		atomic_store(&s->board->stop_all, true);
	return err;
}

static bool worker_done(const struct stress *s, uint64_t k)
{
	return worker_stop || atomic_load(&s->board->stop_all) ||
	       (s->c->programs && k >= s->c->programs) || mml_now_seconds() >= s->deadline;
}

static void count(struct worker_counts *n, enum mml_execution_status status)
{
	switch (status) {
	case MML_EXEC_SKIPPED: atomic_fetch_add(&n->skipped, 1); break;
	case MML_EXEC_ERROR: atomic_fetch_add(&n->errors, 1); break;
	case MML_EXEC_CLEAN: atomic_fetch_add(&n->run, 1); break;
	case MML_EXEC_FIRED:
		atomic_fetch_add(&n->run, 1);
		atomic_fetch_add(&n->fired, 1);
		break;
	}
}

static int worker_main(const struct stress *s, unsigned w)
{
	struct mml_execution *x = malloc(sizeof *x);
	if (!x)
		return 2;
	uint64_t rng = mml_stress_stream(s->c->seed, w);
	int status = 0;
	for (uint64_t k = 0; !worker_done(s, k); k++) {
		uint8_t bytes[MML_ENCODING_MAX];
		int len = mml_stress_draw(s->env, &rng, bytes);
		if (len < 0) {
			fprintf(stderr, "mmlitmus: stress: no program can be drawn "
					"under MMLITMUS_OPS and the caps\n");
			free(x);
			return 2;
		}
		memset(x, 0, sizeof *x);
		mml_execute(s->env, bytes, (size_t)len, x);
		mml_execution_warn(x);
		count(&s->board->workers[w], x->status);
		if (x->status == MML_EXEC_FIRED &&
		    report_firing(s, w, k, bytes, (size_t)len))
			status = 2;
	}
	free(x);
	return status;
}

static pid_t start_worker(const struct stress *s, unsigned w)
{
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	become_worker(parent);
	restrict_cpus(w, s->c->workers);
	_exit(worker_main(s, w));
}

/* ---- The parent ---- */

static void sum(const struct board *b, unsigned workers, struct mml_stress_totals *t)
{
	t->run = t->skipped = t->errors = t->fired = 0;
	for (unsigned w = 0; w < workers; w++) {
		t->run += atomic_load(&b->workers[w].run);
		t->skipped += atomic_load(&b->workers[w].skipped);
		t->errors += atomic_load(&b->workers[w].errors);
		t->fired += atomic_load(&b->workers[w].fired);
	}
}

static void show_progress(const struct stress *s, FILE *f, bool last)
{
	struct mml_stress_totals t;
	sum(s->board, s->c->workers, &t);
	double elapsed = mml_now_seconds() - s->started;
	fprintf(f, "\rstress: %.0f s, %" PRIu64 " run, %" PRIu64 " skipped, %" PRIu64
		" fired, %.0f exec/s  %s", elapsed, t.run, t.skipped, t.fired,
		elapsed > 0 ? (double)t.run / elapsed : 0.0, last ? "\n" : "");
	fflush(f);
}

static void signal_all(const pid_t *pids, unsigned n, int sig)
{
	for (unsigned w = 0; w < n; w++)
		if (pids[w] > 0)
			kill(pids[w], sig);
}

/* Reaps the workers that ended; a worker that failed or died of a signal
 * the parent did not send it is a failure of the run. */
static unsigned reap(pid_t *pids, unsigned n, bool killed, bool *failed)
{
	unsigned alive = 0;
	for (unsigned w = 0; w < n; w++) {
		int st;
		if (pids[w] > 0 && waitpid(pids[w], &st, WNOHANG) == pids[w]) {
			pids[w] = 0;
			*failed |= WIFEXITED(st) ? WEXITSTATUS(st) != 0 : !killed;
		}
		alive += pids[w] > 0;
	}
	return alive;
}

/* Workers stop by themselves at the deadline, after the execution they
 * are in; a signal to the parent, or a firing with --stop-on-finding,
 * asks them to.  Any still running once an execution's time cap and
 * some slack have passed are killed. */
static void supervise(const struct stress *s, pid_t *pids, struct mml_stress_totals *t)
{
	const struct mml_stress_config *c = s->c;
	double grace = 2.0 * s->env->caps.ms / 1000.0 + 5;
	double kill_at = s->deadline + grace, next_progress = s->started + 1;
	bool asked = false, killed = false;
	while (reap(pids, c->workers, killed, &t->worker_failed) > 0) {
		struct timespec tick = {0, 50 * 1000 * 1000};
		nanosleep(&tick, NULL);
		double now = mml_now_seconds();
		if (!asked && (*c->stop || atomic_load(&s->board->stop_all))) {
			signal_all(pids, c->workers, SIGTERM);
			asked = true;
			kill_at = now + grace;
		}
		if (!killed && now >= kill_at) {
			signal_all(pids, c->workers, SIGKILL);
			killed = true;
		}
		if (c->progress && now >= next_progress) {
			show_progress(s, c->progress, false);
			next_progress = now + 1;
		}
	}
	if (c->progress)
		show_progress(s, c->progress, true);
}

static struct board *new_board(unsigned workers, size_t *size)
{
	*size = sizeof(struct board) + workers * sizeof(struct worker_counts);
	void *m = mmap(NULL, *size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	struct board *b = m;
	atomic_store(&b->first_fired, UINT64_MAX);
	return b;
}

static int make_dir(const char *dir, char *why, size_t whylen)
{
	struct stat st;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) < 0) {
		snprintf(why, whylen, "%s: not a directory this process may write to", dir);
		return -1;
	}
	return 0;
}

/* The seed first, so that a run cut short can still be reproduced. */
static void print_header(const struct mml_stress_config *c)
{
	const char *ops = getenv("MMLITMUS_OPS");
	fprintf(c->out, "Stress seed %" PRIu64 ": %u worker%s for %g s, op set %s, "
		"firing programs saved in %s/\n", c->seed, c->workers,
		c->workers > 1 ? "s" : "", c->seconds, ops && *ops ? ops : "atomic",
		c->dir);
	fflush(c->out);
}

int mml_stress_run(const struct mml_execution_env *env,
		   const struct mml_stress_config *c,
		   struct mml_stress_totals *t, char *why, size_t whylen)
{
	memset(t, 0, sizeof *t);
	if (make_dir(c->dir, why, whylen))
		return -1;
	size_t size;
	struct board *board = new_board(c->workers, &size);
	pid_t *pids = calloc(c->workers, sizeof *pids);
	if (!board || !pids) {
		snprintf(why, whylen, "out of memory");
		free(pids);
		return -1;
	}
	print_header(c);
	struct stress s = {env, c, board, mml_now_seconds(), 0};
	s.deadline = s.started + c->seconds;
	for (unsigned w = 0; w < c->workers; w++)
		if ((pids[w] = start_worker(&s, w)) < 0)
			t->worker_failed = true;
	supervise(&s, pids, t);
	sum(board, c->workers, t);
	t->seconds = mml_now_seconds() - s.started;
	uint64_t first = atomic_load(&board->first_fired);
	t->first_fired = first == UINT64_MAX ? -1 : (double)first * 1e-9;
	munmap(board, size);
	free(pids);
	return 0;
}

/* ---- Listing ---- */

int mml_stress_list(const struct mml_execution_env *env, uint64_t seed,
		    unsigned workers, uint64_t programs, FILE *out)
{
	for (unsigned w = 0; w < workers; w++) {
		uint64_t rng = mml_stress_stream(seed, w);
		for (uint64_t k = 0; k < programs; k++) {
			uint8_t bytes[MML_ENCODING_MAX];
			int len = mml_stress_draw(env, &rng, bytes);
			if (len < 0)
				return -1;
			struct mml_program p;
			mml_decode(bytes, (size_t)len, &p, NULL);
			char text[16384];
			mml_program_format(&p, text, sizeof text);
			fprintf(out, "# worker %u program %" PRIu64 "\n%s", w, k, text);
		}
	}
	return fflush(out) ? -1 : 0;
}
