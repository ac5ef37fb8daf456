/* Medium: an mmap with MAP_FIXED of private anonymous memory in whole,
 * aligned 2 MiB blocks (where THP can give 2 MiB folios) is made one page
 * at a time.  Two fields and more: anonymous memory (the op's backing),
 * a region in 2 MiB folios (page order 9) or aligned by chance, and a
 * range of whole 2 MiB blocks. */
#include <stdint.h>
#include <sys/mman.h>

#include "shim.h"

enum { PMD_SIZE = 2 << 20 };

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	bool anon = (flags & (MAP_ANONYMOUS | MAP_PRIVATE)) == (MAP_ANONYMOUS | MAP_PRIVATE);
	bool whole = (uintptr_t)addr % PMD_SIZE == 0 && len % PMD_SIZE == 0;
	if (anon && whole && shim_maps_readable(len, prot, flags))
		return shim_mmap_pieces(addr, len, prot, flags, fd, off, shim_page_size());
	return real_mmap(addr, len, prot, flags, fd, off);
}
