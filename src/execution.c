#include "execution.h"

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "crew.h"
#include "encoding.h"
#include "ops.h"
#include "report.h"
#include "text.h"

struct cap_var {
	const char *name;
	uint32_t fallback, max;
	size_t offset;
};

/* Defaults sized so that one execution takes milliseconds and a handful of
 * MiB on a small machine; see doc/fuzzing.md, "Caps and op sets". */
static const struct cap_var cap_vars[] = {
	{"MMLITMUS_MAX_PAGES", 4096, MML_MAX_PAGES, offsetof(struct mml_caps, pages)},
	{"MMLITMUS_MAX_READERS", 4, MML_MAX_READERS, offsetof(struct mml_caps, readers)},
	{"MMLITMUS_MAX_OPS", 8, MML_MAX_OPS, offsetof(struct mml_caps, ops)},
	{"MMLITMUS_MAX_REPEAT", 64, MML_MAX_REPEAT, offsetof(struct mml_caps, repeat)},
	{"MMLITMUS_MAX_DELAY", 100000, UINT32_MAX, offsetof(struct mml_caps, delay)},
	{"MMLITMUS_MAX_MS", 200, 3600 * 1000, offsetof(struct mml_caps, ms)},
};

static const struct cap_var tries_var = {"MMLITMUS_TRIES", 1, 1000000, 0};

static int read_var(const struct cap_var *v, uint32_t *field, char *why,
		    size_t whylen)
{
	const char *s = getenv(v->name);
	*field = v->fallback;
	if (!s || !*s)
		return 0;
	uint64_t n;
	if (mml_parse_number(s, v->max, &n) || n == 0) {
		snprintf(why, whylen, "%s: '%s' is not a number from 1 to %" PRIu32,
			 v->name, s, v->max);
		return -1;
	}
	*field = (uint32_t)n;
	return 0;
}

static unsigned ops_where(bool (*keep)(const struct mml_op_class *))
{
	unsigned set = 0;
	for (int k = 0; k < MML_OP_COUNT; k++)
		if (keep(mml_op_class((enum mml_op_kind)k)))
			set |= 1u << k;
	return set;
}

/* Migrate needs a second NUMA node; on a machine with one it would only
 * be skipped, so the default sets leave it out. */
static bool is_atomic(const struct mml_op_class *c)
{
	return c->atomic && (c != mml_op_class(MML_OP_MIGRATE) || mml_far_node() >= 0);
}
static bool is_atomic_or_control(const struct mml_op_class *c)
{
	return is_atomic(c) || c->control;
}
static bool is_any(const struct mml_op_class *c) { return c != NULL; }

/* "atomic", "control" (atomic and the controls), "all", or op kinds. */
static int read_op_set(unsigned *set, char *why, size_t whylen)
{
	const char *s = getenv("MMLITMUS_OPS");
	if (!s || !*s || strcmp(s, "atomic") == 0) {
		*set = ops_where(is_atomic);
		return 0;
	}
	if (strcmp(s, "control") == 0) {
		*set = ops_where(is_atomic_or_control);
		return 0;
	}
	if (strcmp(s, "all") == 0) {
		*set = ops_where(is_any);
		return 0;
	}
	char copy[256];
	snprintf(copy, sizeof copy, "%s", s);
	*set = 0;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		int k = mml_op_kind_parse(tok);
		if (k < 0) {
			snprintf(why, whylen, "MMLITMUS_OPS: '%s' is not atomic, control, "
				 "all or a list of op kinds", tok);
			return -1;
		}
		*set |= 1u << k;
	}
	if (*set == 0) {
		snprintf(why, whylen, "MMLITMUS_OPS: no op kind given");
		return -1;
	}
	return 0;
}

int mml_execution_env(struct mml_execution_env *env, char *why, size_t whylen)
{
	memset(env, 0, sizeof *env);
	for (size_t i = 0; i < sizeof cap_vars / sizeof cap_vars[0]; i++)
		if (read_var(&cap_vars[i],
			     (uint32_t *)((char *)&env->caps + cap_vars[i].offset),
			     why, whylen))
			return -1;
	if (read_var(&tries_var, &env->tries, why, whylen))
		return -1;
	const char *feedback = getenv("MMLITMUS_FEEDBACK");
	env->feedback = !feedback || strcmp(feedback, "0") != 0;
	return read_op_set(&env->ops, why, whylen);
}

/* Inputs name CPUs freely; one this process may not use is not a program
 * it can run here, rather than an error of the environment. */
static bool cpus_allowed(const struct mml_program *p)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return true; /* let the run report it */
	if (p->mapper_cpu >= 0 && !CPU_ISSET(p->mapper_cpu, &set))
		return false;
	for (unsigned i = 0; i < p->nreaders; i++)
		if (p->readers[i].cpu >= 0 && !CPU_ISSET(p->readers[i].cpu, &set))
			return false;
	return true;
}

const char *mml_execution_bounds(const struct mml_execution_env *env,
				 const struct mml_program *p)
{
	const struct mml_caps *c = &env->caps;
	if (p->pages > c->pages)
		return "more pages than MMLITMUS_MAX_PAGES";
	if (p->nreaders > c->readers)
		return "more readers than MMLITMUS_MAX_READERS";
	if (p->nops > c->ops)
		return "more ops than MMLITMUS_MAX_OPS";
	if (p->repeat > c->repeat)
		return "more iterations than MMLITMUS_MAX_REPEAT";
	if (p->delay_amount > c->delay)
		return "a longer delay than MMLITMUS_MAX_DELAY";
	for (unsigned i = 0; i < p->nops; i++)
		if (!(env->ops & 1u << p->ops[i].kind))
			return "an op outside MMLITMUS_OPS";
	return NULL;
}

/* The fuzzers' own bounds and the CPUs this process may use. */
static const char *outside_bounds(const struct mml_execution_env *env,
				  const struct mml_program *p)
{
	const char *why = mml_execution_bounds(env, p);
	if (!why && !cpus_allowed(p))
		why = "a pinned CPU this process may not use";
	return why;
}

const char *mml_execution_admit(const struct mml_execution_env *env,
				const struct mml_program *p)
{
	const char *why = outside_bounds(env, p);
	return why ? why : mml_run_unavailable(p);
}

void mml_execute_program(const struct mml_execution_env *env, uint64_t seed,
			 struct mml_execution *x)
{
	/* Executions follow each other in one process: their threads and
	 * their backing files stay. */
	static struct mml_crew crew;
	static struct mml_shelf shelf;
	x->config = (struct mml_config){
		.seconds = env->caps.ms / 1000.0,
		.iterations = x->program.repeat,
		.seed = seed,
		.evidence = 3,
		.stop_on_finding = true,
		.stop_on_violation = mml_program_has_control(&x->program),
		.capture = x->capture,
		.crew = &crew,
		.shelf = &shelf,
	};
	if (mml_run(&x->program, &x->config, &x->result) < 0)
		x->status = MML_EXEC_ERROR;
	else
		x->status = mml_fired(&x->program, &x->result) ? MML_EXEC_FIRED
							       : MML_EXEC_CLEAN;
}

/* FNV-1a: any stable hash will do. */
static uint64_t input_seed(const uint8_t *data, size_t len)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ data[i]) * 0x100000001b3u;
	return h;
}

void mml_execute(const struct mml_execution_env *env, const uint8_t *data,
		 size_t len, struct mml_execution *x)
{
	mml_decode(data, len, &x->program, NULL);
	x->skipped = mml_execution_admit(env, &x->program);
	if (x->skipped) {
		x->status = MML_EXEC_SKIPPED;
		x->unavailable = !outside_bounds(env, &x->program);
		return;
	}
	uint64_t seed = input_seed(data, len);
	for (uint32_t i = 0; i < env->tries; i++) {
		mml_execute_program(env, seed + i, x);
		if (x->status != MML_EXEC_CLEAN)
			return;
	}
}

void mml_execution_warn(const struct mml_execution *x)
{
	static uint64_t errors, unavailable;
	if (x->status == MML_EXEC_ERROR && errors++ % 1000 == 0)
		fprintf(stderr, "mmlitmus: execution not run (%" PRIu64 " so far): %s\n",
			errors, x->result.error);
	if (x->status == MML_EXEC_SKIPPED && x->unavailable && unavailable++ % 1000 == 0)
		fprintf(stderr, "mmlitmus: execution skipped (%" PRIu64 " so far): %s\n",
			unavailable, x->skipped);
}

void mml_execution_report(FILE *out, const char *name,
			  const struct mml_execution *x)
{
	struct mml_report rep = {name, &x->program, &x->config, &x->result};
	mml_report_text(out, &rep);
	fflush(out);
}

bool mml_execution_is_fork_job(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "-stop_file=", 11) == 0)
			return true;
	return false;
}

/* The parent of process pid, from /proc/PID/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
	char path[64], stat[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(stat, 1, sizeof stat - 1, f);
	fclose(f);
	stat[n] = 0;
	/* The name in parentheses may hold spaces and parentheses: the
	 * fields resume after the last ')'. */
	char *end = strrchr(stat, ')');
	int ppid;
	return end && sscanf(end + 1, " %*c %d", &ppid) == 1 ? (pid_t)ppid : -1;
}

static pid_t watched_shell, watched_root;

static void *watch_root(void *arg)
{
	(void)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct timespec quarter = {0, 250000000};
		nanosleep(&quarter, NULL);
		if (getppid() != watched_shell || parent_of(watched_shell) != watched_root)
			_exit(0);
	}
	return NULL;
}

int mml_execution_end_with_root(void)
{
	watched_shell = getppid();
	watched_root = parent_of(watched_shell);
	pthread_t t;
	if (watched_root <= 1 || pthread_create(&t, NULL, watch_root, NULL))
		return -1;
	pthread_detach(t);
	return 0;
}
