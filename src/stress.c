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

#include "ops.h"
#include "rng.h"
#include "text.h"

/* ---- Drawing programs ---- */

static uint32_t draw(uint64_t *rng, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)mml_rng_upto(rng, hi - lo);
}

static bool chance(uint64_t *rng, unsigned one_in)
{
	return mml_rng_upto(rng, one_in - 1) == 0;
}

static unsigned log2_floor(uint32_t n)
{
	unsigned bits = 0;
	while (n >> bits > 1)
		bits++;
	return bits;
}

/* A number in [2^e, 2^(e+1)) within [1, max]. */
static uint32_t draw_octave(uint64_t *rng, unsigned e, uint32_t max)
{
	uint32_t lo = UINT32_C(1) << e;
	return draw(rng, lo, e == log2_floor(max) ? max : 2 * lo - 1);
}

/* In [1, max], each power of two as likely as the next. */
static uint32_t draw_log(uint64_t *rng, uint32_t max)
{
	return draw_octave(rng, draw(rng, 0, log2_floor(max)), max);
}

/* In [1, max], the lower powers of two likelier (the smaller of two
 * draws): for what makes an execution slow (pages, iterations, readers
 * sharing a CPU, spin delays), so that a worker runs many programs a
 * second and the large ones still come. */
static uint32_t draw_small(uint64_t *rng, uint32_t max)
{
	unsigned a = draw(rng, 0, log2_floor(max)), b = draw(rng, 0, log2_floor(max));
	return draw_octave(rng, a < b ? a : b, max);
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Huge pages are drawn now and then: a machine that does not offer them
 * skips the program, and the skipped count says so. */
static void draw_region(const struct mml_caps *caps, uint64_t *rng,
			struct mml_program *p)
{
	p->backing = chance(rng, 16) ? MML_BACKING_HUGETLB
				     : (enum mml_backing)draw(rng, 0, MML_BACKING_ANON);
	p->page_order = p->backing == MML_BACKING_HUGETLB ? MML_MAX_PAGE_ORDER
			: chance(rng, 8) ? draw(rng, 1, MML_MAX_PAGE_ORDER) : 0;
	uint32_t folios = caps->pages >> p->page_order;
	if (folios < 2 && p->page_order > 0) {
		p->page_order = 0;
		if (p->backing == MML_BACKING_HUGETLB)
			p->backing = MML_BACKING_MEMFD;
		folios = caps->pages;
	}
	/* Two folios at least: one page cannot be seen half changed. */
	uint32_t n = draw_small(rng, min_u32(folios, MML_MAX_PAGES));
	p->pages = (folios >= 2 && n < 2 ? 2 : n) << p->page_order;
}

static void draw_knobs(const struct mml_caps *caps, uint64_t *rng,
		       struct mml_program *p)
{
	p->populate = !chance(rng, 4);
	p->share = chance(rng, 4);
	p->write = chance(rng, 8);
	p->perturb = chance(rng, 8) ? (enum mml_perturb)draw(rng, 1, MML_PERTURB_COUNT - 1)
				    : MML_PERTURB_NONE;
	p->delay = (enum mml_delay)draw(rng, 0, MML_DELAY_COUNT - 1);
	bool amount = p->delay == MML_DELAY_SPIN || p->delay == MML_DELAY_SLEEP;
	p->delay_amount = amount ? draw_small(rng, caps->delay) : 0;
	p->reader_yield = chance(rng, 4) ? draw_log(rng, 1000) : 0;
	/* Placed at run time, inside the worker's CPUs; named CPUs would be
	 * refused wherever the worker may not use them. */
	p->mapper_cpu = chance(rng, 8) ? MML_NO_CPU : MML_AUTO_CPU;
	p->repeat = draw_small(rng, min_u32(caps->repeat, MML_MAX_REPEAT));
}

static void draw_reader(const struct mml_program *p, uint64_t *rng,
			struct mml_reader *r)
{
	r->order = (enum mml_read_order)draw(rng, 0, MML_ORDER_COUNT - 1);
	if (r->order == MML_ORDER_STRIDE && p->pages < 2)
		r->order = MML_ORDER_ASC;
	r->param = r->order == MML_ORDER_STRIDE ? draw(rng, 1, p->pages - 1)
		   : r->order == MML_ORDER_SINGLE ? draw(rng, 0, p->pages - 1) : 0;
	r->cpu = p->mapper_cpu == MML_NO_CPU ? MML_NO_CPU : MML_AUTO_CPU;
}

static enum mml_op_kind draw_kind(unsigned set, uint64_t *rng)
{
	unsigned k = draw(rng, 0, (unsigned)__builtin_popcount(set) - 1);
	for (int kind = 0; kind < MML_OP_COUNT; kind++)
		if (set & 1u << kind && k-- == 0)
			return (enum mml_op_kind)kind;
	return MML_OP_MAPFIXED; /* not reached: set is not empty */
}

/* A range in the units the input format uses (whole huge pages with
 * hugetlb), the whole region a third of the time. */
static void draw_range(const struct mml_program *p, uint64_t *rng,
		       struct mml_op *op)
{
	uint32_t unit = p->backing == MML_BACKING_HUGETLB ? 1u << p->page_order : 1;
	uint32_t units = p->pages / unit;
	uint32_t lo = 0, len = units;
	if (!chance(rng, 3)) {
		lo = draw(rng, 0, units - 1);
		len = draw(rng, 1, units - lo);
	}
	op->lo = lo * unit;
	op->hi = (lo + len) * unit;
	if (op->kind == MML_OP_TRUNCATE)
		op->hi = p->pages;
}

static void draw_op(const struct mml_program *p, unsigned set, uint64_t *rng,
		    struct mml_op *op)
{
	*op = (struct mml_op){.kind = draw_kind(set, rng)};
	draw_range(p, rng, op);
	unsigned params = mml_op_class(op->kind)->params;
	bool huge = p->backing == MML_BACKING_HUGETLB && chance(rng, 2);
	if (params & MML_PARAM_BACKING)
		op->backing = huge ? MML_BACKING_HUGETLB
				   : (enum mml_backing)draw(rng, 0, MML_BACKING_ANON);
	if (params & MML_PARAM_PROT)
		op->prot = (enum mml_prot)draw(rng, 0, 1);
	if (params & MML_PARAM_DIRECTION)
		op->descending = chance(rng, 2);
	if (params & MML_PARAM_ALIGN)
		op->align = (enum mml_align)draw(rng, 0, MML_ALIGN_COUNT - 1);
	if (params & MML_PARAM_DONTUNMAP)
		op->dontunmap = chance(rng, 4);
	if (params & MML_PARAM_MAPFLAGS) {
		op->populate = chance(rng, 4);
		op->locked = chance(rng, 8);
	}
}

/* Whether op j (1-based) can follow the ops before it. */
static bool op_fits(struct mml_program *p, unsigned j)
{
	unsigned nops = p->nops, refused;
	p->nops = j;
	bool fits = !mml_program_check_op(p, j) &&
		    !(mml_ops_check(p, &refused) && refused == j - 1);
	p->nops = nops;
	return fits;
}

/* An op the program around it rules out (a truncate of anonymous memory)
 * is drawn again, a few times, then the program ends before it. */
static void draw_ops(unsigned set, unsigned want, uint64_t *rng,
		     struct mml_program *p)
{
	enum { TRIES = 16 };
	for (p->nops = 0; p->nops < want; p->nops++) {
		unsigned tries = 0;
		do
			draw_op(p, set, rng, &p->ops[p->nops]);
		while (!op_fits(p, p->nops + 1) && ++tries < TRIES);
		if (tries == TRIES)
			break;
	}
}

static void draw_program(const struct mml_execution_env *env, uint64_t *rng,
			 struct mml_program *p)
{
	const struct mml_caps *caps = &env->caps;
	memset(p, 0, sizeof *p);
	draw_region(caps, rng, p);
	draw_knobs(caps, rng, p);
	/* One reader mostly: readers beyond the CPUs the mapper leaves share
	 * one, and an iteration then waits on the scheduler (two readers on
	 * the second of two CPUs took 130 ms an execution where one took 1). */
	uint32_t readers = min_u32(caps->readers, MML_MAX_READERS);
	p->nreaders = chance(rng, 4) ? draw_small(rng, readers) : 1;
	for (unsigned i = 0; i < p->nreaders; i++)
		draw_reader(p, rng, &p->readers[i]);
	draw_ops(env->ops, draw_small(rng, min_u32(caps->ops, MML_MAX_OPS)), rng, p);
}

int mml_stress_draw(const struct mml_execution_env *env, uint64_t *rng,
		    uint8_t *bytes)
{
	for (int tries = 0; tries < 100; tries++) {
		struct mml_program p;
		draw_program(env, rng, &p);
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
