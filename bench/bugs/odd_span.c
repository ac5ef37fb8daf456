/* Hard, in structure: an mmap with MAP_FIXED of a readable mapping of two
 * pages or more that starts at an odd page of the mapping (VMA) it starts
 * in and runs past that mapping's end is made one page at a time.  An
 * earlier op must have split the region, and this one must start at an
 * odd distance from the split and cross it. */
#include <stdint.h>
#include <sys/mman.h>

#include "shim.h"

static bool odd_and_spanning(void *addr, size_t len)
{
	unsigned long start, end;
	if (!shim_vma_of(addr, &start, &end))
		return false;
	uintptr_t at = (uintptr_t)addr;
	return (at - start) / shim_page_size() % 2 == 1 && at + len > end;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (shim_maps_readable(len, prot, flags) && odd_and_spanning(addr, len))
		return shim_mmap_pieces(addr, len, prot, flags, fd, off, shim_page_size());
	return real_mmap(addr, len, prot, flags, fd, off);
}
