/* Medium: an mremap with MREMAP_FIXED whose thread's previous mapping
 * call was an mprotect moves one page at a time.  Two ops in a row: an
 * mprotect, then an mremap or a grow.  Per thread, so that a perturber's
 * maps do not come between the mapper's two calls. */
#include <stdarg.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "shim.h"

static _Thread_local bool after_mprotect;

int mprotect(void *addr, size_t len, int prot)
{
	int got = real_mprotect(addr, len, prot);
	after_mprotect = true;
	return got;
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
