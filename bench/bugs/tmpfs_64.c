/* Medium: an mmap with MAP_FIXED of a file on tmpfs (not a memfd) over
 * 64 pages or more is made one page at a time.  Two fields: an op that
 * maps a tmpfs generation (mapfixed:tmpfs) and a range of 64 pages. */
#include <sys/mman.h>

#include "shim.h"

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if ((flags & MAP_FIXED) && len >= 64 * shim_page_size() && shim_is_tmpfs_file(fd))
		return shim_mmap_pieces(addr, len, prot, flags, fd, off, shim_page_size());
	return real_mmap(addr, len, prot, flags, fd, off);
}
