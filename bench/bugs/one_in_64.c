/* Hard, in time: of the mmaps with MAP_FIXED of a readable mapping of two
 * pages or more, every 64th is made in two halves, one right after the
 * other.  The window is one mmap call long (microseconds), in one call of
 * 64, and only a reader that reads the lower half after the first call
 * and the upper half before the second sees it.  The count is the
 * process's: it runs on across executions. */
#include <stdatomic.h>
#include <sys/mman.h>

#include "shim.h"

static atomic_ulong calls;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (shim_maps_readable(len, prot, flags) && atomic_fetch_add(&calls, 1) % 64 == 63) {
		size_t half = len / 2 / shim_page_size() * shim_page_size();
		return shim_mmap_pieces(addr, len, prot, flags, fd, off, half);
	}
	return real_mmap(addr, len, prot, flags, fd, off);
}
