/* Medium: an mremap with MREMAP_FIXED whose thread's previous mapping
 * call was an mprotect moves one page at a time.  Two ops in a row: an
 * mprotect, then an mremap or a grow.  Per thread, so that a perturber's
 * maps do not come between the mapper's two calls.  Every call an op
 * makes ends the condition, the ones shim.c does not wrap too (mlock,
 * truncate, punch, migrate): otherwise "mprotect, mlock, mremap" would
 * fire. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

static _Thread_local bool after_mprotect;

int mprotect(void *addr, size_t len, int prot)
{
	int got = real_mprotect(addr, len, prot);
	after_mprotect = true;
	return got;
}

int mlock(const void *addr, size_t len)
{
	static int (*next)(const void *, size_t);
	if (!next)
		next = (int (*)(const void *, size_t))dlsym(RTLD_NEXT, "mlock");
	after_mprotect = false;
	return next(addr, len);
}

int ftruncate(int fd, off_t len)
{
	static int (*next)(int, off_t);
	if (!next)
		next = (int (*)(int, off_t))dlsym(RTLD_NEXT, "ftruncate");
	after_mprotect = false;
	return next(fd, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	static int (*next)(int, int, off_t, off_t);
	if (!next)
		next = (int (*)(int, int, off_t, off_t))dlsym(RTLD_NEXT, "fallocate");
	after_mprotect = false;
	return next(fd, mode, off, len);
}

/* migrate's move_pages has no libc wrapper.  The six arguments are
 * passed on as they came: on Linux's 64-bit ABIs each is one register
 * or one stack slot whatever its C type. */
long syscall(long number, ...)
{
	static long (*next)(long, ...);
	if (!next)
		next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	va_list ap;
	va_start(ap, number);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_move_pages)
		after_mprotect = false;
	return next(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	after_mprotect = false;
	return real_mmap(addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
	after_mprotect = false;
	return real_munmap(addr, len);
}

int madvise(void *addr, size_t len, int advice)
{
	after_mprotect = false;
	return real_madvise(addr, len, advice);
}

void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	void *new_addr = flags & MREMAP_FIXED ? va_arg(ap, void *) : NULL;
	va_end(ap);
	bool split = after_mprotect;
	after_mprotect = false;
	return split ? shim_mremap_pieces(old, old_len, new_len, flags, new_addr,
					  shim_page_size())
		     : real_mremap(old, old_len, new_len, flags, new_addr);
}
