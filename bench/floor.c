/* The floor: a bare loop that makes exactly the syscalls one iteration of
 * a shape needs, with no harness around them, for tools/bench to measure
 * mmlitmus against side by side.
 *
 * Each iteration installs the region's old contents, releases a reader
 * pinned to CPU 1, makes the op from CPU 0 between two stores of an odd and
 * an even state word, and waits until the reader swept once more after the
 * op was done, as mmlitmus's readers do.  The reader does what a race needs
 * and nothing else: a load of the state word, an acquire load of the page's
 * first word, the state word again.  Only munmap's reader can fault, so
 * only it pays for a guard (sigsetjmp).  A read between two equal odd
 * states lay wholly inside the op: an in-window read.
 *
 *   mapfixed  a memfd of zeros, then mmap MAP_FIXED of a memfd of ones
 *   munmap    a memfd of ones, then munmap (new: a hole)
 *   dontneed  private anonymous memory written with ones, then
 *             MADV_DONTNEED (new: zero)
 *
 * The memfds are mapped readable and writable, as mmlitmus maps its
 * backings: whether the mapping that MAP_FIXED replaces is writable decides
 * on some machines how many reads fall inside the op at all (a factor of
 * hundreds in bench/README.md), so the loop must pass what mmlitmus passes.
 * -R maps them read-only instead, to show that difference.
 *
 * An iteration violates when its reader saw the new contents on some page
 * and then the old on some page (new-then-stale, or hole-then-data).
 *
 * Usage: floor [-o OP] [-r asc|random] [-n] [-R] PAGES SECONDS
 *   (-n: no reader, the syscalls alone; -R: the memfds mapped read-only)
 * Prints: PAGES ITERATIONS/S READS/S IN_WINDOW_READS/S VIOLATING ITERATIONS */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum op { MAPFIXED, MUNMAP, DONTNEED };
enum { NEW = 1, OLD = 2 };

static enum op op = MAPFIXED;
static bool random_order;
static int file_prot = PROT_READ | PROT_WRITE;
static size_t page_size;
static uint32_t pages;
static uint32_t *order;
static char *region;
static _Atomic uint32_t go, started, finished, state;
static _Atomic bool quit;
static uint64_t reads, in_window, violating;

static _Thread_local sigjmp_buf jump;
static _Thread_local volatile sig_atomic_t armed;

static void on_fault(int sig)
{
	if (!armed)
		_exit(128 + sig);
	armed = 0;
	siglongjmp(jump, 1);
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void shuffle(uint64_t *rng)
{
	for (uint32_t i = pages - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(next_random(rng) % (i + 1));
		uint32_t tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
}

/* NEW or OLD, as the op's kind says a page's contents are. */
static int load(const _Atomic uint64_t *word)
{
	if (op == MUNMAP) {
		if (sigsetjmp(jump, 0))
			return NEW;
		armed = 1;
		atomic_signal_fence(memory_order_seq_cst);
		uint64_t v = atomic_load_explicit(word, memory_order_acquire);
		atomic_signal_fence(memory_order_seq_cst);
		armed = 0;
		return v ? OLD : NEW;
	}
	uint64_t v = atomic_load_explicit(word, memory_order_acquire);
	return (v == 1) == (op == MAPFIXED) ? NEW : OLD;
}

/* Returns true when this sweep saw the old contents after the new. */
static bool sweep(int *seen)
{
	bool stale = false;
	for (uint32_t i = 0; i < pages; i++) {
		const _Atomic uint64_t *word =
			(const _Atomic uint64_t *)(region + (size_t)order[i] * page_size);
		uint32_t before = atomic_load_explicit(&state, memory_order_acquire);
		int v = load(word);
		uint32_t after = atomic_load_explicit(&state, memory_order_acquire);
		in_window += before == after && (before & 1);
		stale |= v == OLD && (*seen & NEW);
		*seen |= v;
		reads++;
	}
	return stale;
}

static void *reader(void *arg)
{
	(void)arg;
	pin(1);
	uint64_t rng = 0x9e3779b97f4a7c15u;
	uint32_t seen_go = 0;
	for (;;) {
		uint32_t g;
		while ((g = atomic_load(&go)) == seen_go)
			if (atomic_load(&quit))
				return NULL;
		seen_go = g;
		if (random_order)
			shuffle(&rng);
		atomic_store(&started, g);
		int seen = 0;
		bool stale = false;
		for (;;) {
			bool last = atomic_load(&state) == 2 * g;
			stale |= sweep(&seen);
			if (last)
				break;
		}
		violating += stale;
		atomic_store(&finished, g);
	}
}

static int memfd_of(uint64_t value)
{
	int fd = memfd_create("floor", MFD_CLOEXEC);
	size_t len = (size_t)pages * page_size;
	if (fd < 0 || ftruncate(fd, (off_t)len) < 0)
		return -1;
	char *view = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (view == MAP_FAILED)
		return -1;
	for (uint32_t p = 0; p < pages; p++)
		*(uint64_t *)(view + (size_t)p * page_size) = value;
	munmap(view, len);
	return fd;
}

static int old_fd, new_fd;

static bool install_old(size_t len)
{
	if (op == DONTNEED) {
		if (mmap(region, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE,
			 -1, 0) == MAP_FAILED)
			return false;
		for (uint32_t p = 0; p < pages; p++)
			*(uint64_t *)(region + (size_t)p * page_size) = 1;
		return true;
	}
	return mmap(region, len, file_prot, MAP_SHARED | MAP_FIXED | MAP_POPULATE,
		    old_fd, 0) != MAP_FAILED;
}

static bool change(size_t len)
{
	switch (op) {
	case MAPFIXED:
		return mmap(region, len, file_prot, MAP_SHARED | MAP_FIXED,
			    new_fd, 0) != MAP_FAILED;
	case MUNMAP:
		return munmap(region, len) == 0;
	case DONTNEED:
		return madvise(region, len, MADV_DONTNEED) == 0;
	}
	return false;
}

static bool parse(int argc, char **argv, double *seconds, bool *with_reader)
{
	int c;
	while ((c = getopt(argc, argv, "o:r:nR")) != -1) {
		if (c == 'o' && strcmp(optarg, "mapfixed") == 0)
			op = MAPFIXED;
		else if (c == 'o' && strcmp(optarg, "munmap") == 0)
			op = MUNMAP;
		else if (c == 'o' && strcmp(optarg, "dontneed") == 0)
			op = DONTNEED;
		else if (c == 'r' && (strcmp(optarg, "asc") == 0 ||
				      strcmp(optarg, "random") == 0))
			random_order = strcmp(optarg, "random") == 0;
		else if (c == 'n')
			*with_reader = false;
		else if (c == 'R')
			file_prot = PROT_READ;
		else
			return false;
	}
	if (argc - optind != 2)
		return false;
	pages = (uint32_t)strtoul(argv[optind], NULL, 10);
	*seconds = strtod(argv[optind + 1], NULL);
	return pages > 0 && *seconds > 0;
}

static bool set_up(void)
{
	size_t len = (size_t)pages * page_size;
	old_fd = memfd_of(op == MAPFIXED ? 0 : 1);
	new_fd = memfd_of(1);
	region = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	order = malloc(sizeof *order * pages);
	if (old_fd < 0 || new_fd < 0 || region == MAP_FAILED || !order)
		return false;
	for (uint32_t p = 0; p < pages; p++)
		order[p] = p;
	struct sigaction sa = {.sa_handler = on_fault, .sa_flags = SA_NODEFER};
	return sigaction(SIGSEGV, &sa, NULL) == 0 && sigaction(SIGBUS, &sa, NULL) == 0;
}

int main(int argc, char **argv)
{
	double seconds;
	bool with_reader = true;
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	if (!parse(argc, argv, &seconds, &with_reader)) {
		fputs("usage: floor [-o mapfixed|munmap|dontneed] [-r asc|random] [-n] "
		      "[-R] PAGES SECONDS\n", stderr);
		return 2;
	}
	if (!set_up()) {
		fputs("floor: set-up failed\n", stderr);
		return 2;
	}
	size_t len = (size_t)pages * page_size;
	pin(0);
	pthread_t thread;
	if (with_reader)
		pthread_create(&thread, NULL, reader, NULL);
	uint32_t iterations = 0;
	double began = now(), elapsed;
	do {
		if (!install_old(len))
			return 2;
		iterations++;
		if (with_reader) {
			atomic_store(&go, iterations);
			while (atomic_load(&started) != iterations)
				;
		}
		atomic_store(&state, 2 * iterations - 1);
		if (!change(len))
			return 2;
		atomic_store(&state, 2 * iterations);
		if (with_reader)
			while (atomic_load(&finished) != iterations)
				;
		elapsed = now() - began;
	} while (elapsed < seconds);
	atomic_store(&quit, true);
	if (with_reader)
		pthread_join(thread, NULL);
	printf("%u %.0f %.0f %.0f %llu %u\n", pages, iterations / elapsed,
	       reads / elapsed, in_window / elapsed, (unsigned long long)violating,
	       iterations);
	return 0;
}
