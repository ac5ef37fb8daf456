/* Guarded reads and writes: a fault inside the guarded region during a
 * guarded load is a HOLE, during a guarded store a store that did not land;
 * every other fault still kills the process.  The fatal cases run in
 * a child, so that the test sees how it died. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "tap.h"

static size_t page;

/* Three pages: readable, PROT_NONE, and a file page past the file's end. */
static char *make_region(void)
{
	char *r = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = memfd_create("guard-test", MFD_CLOEXEC);
	if (r == MAP_FAILED || fd < 0 || ftruncate(fd, (off_t)page) < 0 ||
	    mprotect(r + page, page, PROT_NONE) < 0 ||
	    mmap(r + 2 * page, page, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    ftruncate(fd, 0) < 0) {
		printf("Bail out! cannot build the test region\n");
		exit(1);
	}
	close(fd);
	*(uint64_t *)r = 42;
	return r;
}

static bool load(struct mml_guard *g, const char *addr, uint64_t *out)
{
	return mml_guard_load(g, (const _Atomic uint64_t *)addr, out);
}

static bool store(struct mml_guard *g, char *addr, uint64_t value)
{
	return mml_guard_store(g, (_Atomic uint64_t *)addr, value);
}

/* Runs fn in a child with the guard set up and returns how it ended. */
static int in_child(char *region, void (*fn)(struct mml_guard *, char *))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core); /* the crash is the expected result */
		struct mml_guard g;
		if (mml_guard_install() || mml_guard_enter(&g, region, 3 * page))
			_exit(100);
		fn(&g, region);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return status;
}

static bool killed_by(int status, int sig)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void fault_outside_region(struct mml_guard *g, char *region)
{
	uint64_t v;
	volatile char *outside = region + 3 * page; /* beyond what is guarded */
	mprotect((char *)outside, page, PROT_NONE);
	g->armed = 1; /* even inside a guarded load: the address decides */
	v = *outside;
	(void)v;
}

static void fault_unguarded(struct mml_guard *g, char *region)
{
	(void)g;
	volatile char *hole = region + page;
	char c = *hole;
	(void)c;
}

static void signal_sent(struct mml_guard *g, char *region)
{
	(void)g, (void)region;
	raise(SIGSEGV);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = (size_t)sysconf(_SC_PAGESIZE);
	char *region = make_region();
	struct mml_guard g;
	if (mml_guard_install() || mml_guard_enter(&g, region, 3 * page)) {
		printf("Bail out! cannot set up the guard\n");
		return 1;
	}
	uint64_t v = 0;
	ok(load(&g, region, &v) && v == 42, "a readable page loads its value");
	ok(!load(&g, region + page, &v), "a PROT_NONE page is a hole (SIGSEGV)");
	ok(!load(&g, region + page, &v) && !load(&g, region + page, &v),
	   "and again: the signal is not left blocked after the jump");
	ok(!load(&g, region + 2 * page, &v), "a page past a file's end is a hole (SIGBUS)");
	ok(store(&g, region + 8, 7) && *(uint64_t *)(region + 8) == 7,
	   "a store into a writable page lands");
	ok(!store(&g, region + page, 7), "a store into a PROT_NONE page faults (SIGSEGV)");
	ok(!store(&g, region + 2 * page, 7), "a store past a file's end faults (SIGBUS)");
	mprotect(region, page, PROT_READ);
	ok(!store(&g, region + 8, 9) && *(uint64_t *)(region + 8) == 7,
	   "a store into a read-only page faults and changes nothing");
	mprotect(region, page, PROT_READ | PROT_WRITE);
	mml_guard_leave(&g);
	mml_guard_uninstall();

	/* The child maps a page right after the region for the outside case. */
	mmap(region + 3 * page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ok(killed_by(in_child(region, fault_outside_region), SIGSEGV),
	   "a fault outside the guarded region kills the process");
	ok(killed_by(in_child(region, fault_unguarded), SIGSEGV),
	   "a fault in the region but outside a guarded load kills the process");
	ok(killed_by(in_child(region, signal_sent), SIGSEGV),
	   "a SIGSEGV sent by raise() is not swallowed");
	return tap_done();
}
