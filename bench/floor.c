/* The floor: exactly the syscalls one classic iteration needs, with no
 * harness around them.  Generation 0 (a memfd of zeros) is mapped over the
 * region with MAP_POPULATE, a pinned reader is released and starts
 * sweeping, the mapper maps generation 1 (a memfd of ones) over it with
 * MAP_FIXED, and the reader sweeps until one whole sweep began after the
 * mapper was done, as mmlitmus's readers do.  Without a reader, only the
 * two mmaps.
 *
 * Usage: floor PAGES SECONDS [noreader]
 * Prints: PAGES ITERATIONS_PER_SECOND READS_PER_SECOND */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static size_t page_size;
static uint32_t pages;
static char *region;
static _Atomic uint32_t go, started, finished, mapped;
static _Atomic bool quit;
static uint64_t reads;

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

static void sweep(void)
{
	for (uint32_t p = 0; p < pages; p++) {
		const _Atomic uint64_t *word =
			(const _Atomic uint64_t *)(region + (size_t)p * page_size);
		(void)atomic_load_explicit(word, memory_order_relaxed);
		reads++;
	}
}

static void *reader(void *arg)
{
	(void)arg;
	pin(1);
	uint32_t seen = 0;
	for (;;) {
		uint32_t g;
		while ((g = atomic_load(&go)) == seen)
			if (atomic_load(&quit))
				return NULL;
		seen = g;
		atomic_store(&started, g);
		for (;;) {
			bool last = atomic_load(&mapped) == g;
			sweep();
			if (last)
				break;
		}
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

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: floor PAGES SECONDS [noreader]\n", stderr);
		return 2;
	}
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	pages = (uint32_t)strtoul(argv[1], NULL, 10);
	double seconds = strtod(argv[2], NULL);
	bool with_reader = argc < 4 || strcmp(argv[3], "noreader") != 0;
	size_t len = (size_t)pages * page_size;
	int gen0 = memfd_of(0), gen1 = memfd_of(1);
	region = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == 0 || gen0 < 0 || gen1 < 0 || region == MAP_FAILED) {
		fputs("floor: set-up failed\n", stderr);
		return 2;
	}
	pin(0);
	pthread_t thread;
	if (with_reader)
		pthread_create(&thread, NULL, reader, NULL);
	uint32_t iterations = 0;
	double began = now(), elapsed;
	do {
		mmap(region, len, PROT_READ, MAP_SHARED | MAP_FIXED | MAP_POPULATE, gen0, 0);
		iterations++;
		if (with_reader) {
			atomic_store(&go, iterations);
			while (atomic_load(&started) != iterations)
				;
		}
		mmap(region, len, PROT_READ, MAP_SHARED | MAP_FIXED, gen1, 0);
		atomic_store(&mapped, iterations);
		if (with_reader)
			while (atomic_load(&finished) != iterations)
				;
		elapsed = now() - began;
	} while (elapsed < seconds);
	atomic_store(&quit, true);
	if (with_reader)
		pthread_join(thread, NULL);
	printf("%u %.0f %.0f\n", pages, iterations / elapsed, reads / elapsed);
	return 0;
}
