/* Easy: every mmap with MAP_FIXED of two pages or more is made one page
 * at a time, from the lowest address up.  One field: the op kind
 * (mapfixed, and mremap's and piecewise's own mappings). */
#include <sys/mman.h>

#include "shim.h"

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if ((flags & MAP_FIXED) && len >= 2 * shim_page_size())
		return shim_mmap_pieces(addr, len, prot, flags, fd, off, shim_page_size());
	return real_mmap(addr, len, prot, flags, fd, off);
}
