/* Nothing leaks across executions: after 10^5 iterations in 2000
 * executions of three programs (memfd, tmpfs and anonymous backings, mremap
 * staging, mprotect, a picture's capture), the process holds as many file
 * descriptors and mappings as after the warm-up, and its RSS has not grown
 * beyond noise.  An overnight fuzzing run is a few million executions. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execution.h"
#include "text.h"

enum { WARMUP = 100, EXECUTIONS = 2000, REPEAT = 50, RSS_SLACK_KB = 4096 };

static const char *const programs[] = {
	"pages 16\nop 1 mapfixed:memfd\nrepeat 50\n",
	("pages 32\nbacking anon\nop 1 mremap:0-16:anon\nop 2 mprotect:none\n"
	 "op 3 mprotect:read\nreader 0 random\nshare 1\nrepeat 50\n"),
	"pages 8\nbacking tmpfs\nop 1 mapfixed:tmpfs\nop 2 munmap:0-4\nrepeat 50\n",
};

struct usage {
	long fds, maps, rss_kb;
};

static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	long n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static long count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;
	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static struct usage measure(void)
{
	return (struct usage){count_fds(), count_maps(), rss_kb()};
}

/* Runs n executions, cycling through the programs; returns iterations. */
static unsigned long execute(const struct mml_execution_env *env,
			     struct mml_execution *x, struct mml_capture *capture,
			     unsigned n)
{
	unsigned long iterations = 0;
	for (unsigned i = 0; i < n; i++) {
		char why[256];
		const char *text = programs[i % 3];
		if (mml_program_parse(text, &x->program, why, sizeof why)) {
			printf("Bail out! %s\n", why);
			exit(1);
		}
		x->capture = i % 3 == 0 ? capture : NULL;
		mml_execute_program(env, i, x);
		if (x->status == MML_EXEC_ERROR) {
			printf("Bail out! %s\n", x->result.error);
			exit(1);
		}
		iterations += x->result.iterations;
	}
	return iterations;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct mml_execution_env env;
	char why[256];
	if (mml_execution_env(&env, why, sizeof why)) {
		printf("Bail out! %s\n", why);
		return 1;
	}
	env.caps.ms = 10000; /* every execution runs its 50 iterations */
	struct mml_execution *x = calloc(1, sizeof *x);
	struct mml_capture capture;
	if (!x || mml_capture_init(&capture)) {
		printf("Bail out! out of memory\n");
		return 1;
	}
	printf("1..4\n");
	execute(&env, x, &capture, WARMUP);
	struct usage before = measure();
	unsigned long iterations = execute(&env, x, &capture, EXECUTIONS);
	struct usage after = measure();
	printf("# %lu iterations in %d executions: fds %ld -> %ld, maps %ld -> %ld, "
	       "RSS %ld -> %ld kB\n", iterations, EXECUTIONS, before.fds, after.fds,
	       before.maps, after.maps, before.rss_kb, after.rss_kb);
	int failed = 0;
	bool ran = iterations >= (unsigned long)EXECUTIONS * REPEAT;
	printf("%sok 1 - every execution ran its iterations\n", ran ? "" : "not ");
	failed |= !ran;
	bool fds = before.fds > 0 && after.fds == before.fds;
	printf("%sok 2 - no file descriptor leaks\n", fds ? "" : "not ");
	failed |= !fds;
	bool maps = before.maps > 0 && after.maps == before.maps;
	printf("%sok 3 - no mapping leaks\n", maps ? "" : "not ");
	failed |= !maps;
	bool rss = before.rss_kb > 0 && after.rss_kb - before.rss_kb < RSS_SLACK_KB;
	printf("%sok 4 - RSS grew less than %d kB\n", rss ? "" : "not ", RSS_SLACK_KB);
	failed |= !rss;
	mml_capture_free(&capture);
	free(x);
	return failed;
}
