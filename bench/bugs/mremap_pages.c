/* Easy: every mremap with MREMAP_FIXED (a move onto the region: the
 * mremap and grow ops) moves one page at a time, from the lowest address
 * up; a grow grows in its last page.  One field: the op kind. */
#include <stdarg.h>
#include <sys/mman.h>

#include "shim.h"

void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	void *new_addr = flags & MREMAP_FIXED ? va_arg(ap, void *) : NULL;
	va_end(ap);
	return shim_mremap_pieces(old, old_len, new_len, flags, new_addr,
				  shim_page_size());
}
