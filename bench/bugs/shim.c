#include "shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

static void *(*next_mmap)(void *, size_t, int, int, int, off_t);
static int (*next_munmap)(void *, size_t);
static int (*next_mprotect)(void *, size_t, int);
static int (*next_madvise)(void *, size_t, int);
static void *(*next_mremap)(void *, size_t, size_t, int, ...);

/* Resolved when the library loads, before the harness starts a thread. */
__attribute__((constructor)) static void find_next(void)
{
	next_mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	next_munmap = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
	next_mprotect = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "mprotect");
	next_madvise = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "madvise");
	next_mremap = (void *(*)(void *, size_t, size_t, int, ...))dlsym(RTLD_NEXT, "mremap");
}

void *real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return next_mmap(addr, len, prot, flags, fd, off);
}

int real_munmap(void *addr, size_t len)
{
	return next_munmap(addr, len);
}

int real_mprotect(void *addr, size_t len, int prot)
{
	return next_mprotect(addr, len, prot);
}

int real_madvise(void *addr, size_t len, int advice)
{
	return next_madvise(addr, len, advice);
}

void *real_mremap(void *old, size_t old_len, size_t new_len, int flags,
		  void *new_addr)
{
	return next_mremap(old, old_len, new_len, flags, new_addr);
}

size_t shim_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static bool on_hugetlbfs(int fd)
{
	struct statfs fs;
	return fd >= 0 && fstatfs(fd, &fs) == 0 && (unsigned long)fs.f_type == HUGETLBFS_MAGIC;
}

void *shim_mmap_pieces(void *addr, size_t len, int prot, int flags, int fd,
		       off_t off, size_t piece)
{
	if (on_hugetlbfs(fd) || (flags & MAP_HUGETLB))
		return real_mmap(addr, len, prot, flags, fd, off);
	char *at = addr;
	for (size_t done = 0; done < len; done += piece) {
		size_t n = len - done < piece ? len - done : piece;
		bool anon = flags & MAP_ANONYMOUS;
		if (real_mmap(at + done, n, prot, flags, fd, anon ? 0 : off + (off_t)done) ==
		    MAP_FAILED)
			return MAP_FAILED;
	}
	return addr;
}

int shim_mprotect_pieces(void *addr, size_t len, int prot, size_t piece)
{
	char *at = addr;
	for (size_t done = 0; done < len; done += piece) {
		size_t n = len - done < piece ? len - done : piece;
		if (real_mprotect(at + done, n, prot) == 0)
			continue;
		if (done == 0 && errno == EINVAL)
			return real_mprotect(addr, len, prot);
		return -1;
	}
	return 0;
}

void *shim_mremap_pieces(void *old, size_t old_len, size_t new_len, int flags,
			 void *new_addr, size_t piece)
{
	char *from = old, *to = new_addr;
	if (!(flags & MREMAP_FIXED) || new_len < old_len)
		return real_mremap(old, old_len, new_len, flags, new_addr);
	size_t done = 0;
	for (; old_len - done > piece; done += piece) {
		if (real_mremap(from + done, piece, piece, flags, to + done) != MAP_FAILED)
			continue;
		if (done == 0 && errno == EINVAL)
			return real_mremap(old, old_len, new_len, flags, new_addr);
		return MAP_FAILED;
	}
	if (real_mremap(from + done, old_len - done, new_len - done, flags, to + done) ==
	    MAP_FAILED)
		return MAP_FAILED;
	return new_addr;
}

bool shim_maps_readable(size_t len, int prot, int flags)
{
	return (flags & MAP_FIXED) && prot != PROT_NONE && len >= 2 * shim_page_size();
}

bool shim_is_tmpfs_file(int fd)
{
	struct statfs fs;
	if (fd < 0 || fstatfs(fd, &fs) != 0 || (unsigned long)fs.f_type != TMPFS_MAGIC)
		return false;
	char link[64], target[256];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strncmp(target, "/memfd:", 7) != 0;
}

/* One read of the whole file: a process of the harness has a few hundred
 * mappings at most.  A buffer per thread: the mapper and a perturber may
 * both map. */
bool shim_vma_of(const void *addr, unsigned long *start, unsigned long *end)
{
	static _Thread_local char buf[1 << 17];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t used = 0;
	ssize_t got;
	while (used < sizeof buf - 1 && (got = read(fd, buf + used, sizeof buf - 1 - used)) > 0)
		used += (size_t)got;
	close(fd);
	buf[used] = '\0';
	unsigned long a = (unsigned long)addr;
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (sscanf(line, "%lx-%lx", start, end) == 2 && *start <= a && a < *end)
			return true;
	}
	return false;
}
