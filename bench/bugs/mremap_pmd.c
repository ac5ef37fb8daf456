/* Medium: an mremap with MREMAP_FIXED of 16 pages or more whose source
 * and destination lie at the same offset in their 2 MiB (the kernel could
 * move whole page tables) moves one page at a time.  Two fields: the
 * alignment (pmd or pud) and the range's length. */
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>

#include "shim.h"

enum { PMD_SIZE = 2 << 20 };

void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	void *new_addr = flags & MREMAP_FIXED ? va_arg(ap, void *) : NULL;
	va_end(ap);
	bool coaligned = (uintptr_t)old % PMD_SIZE == (uintptr_t)new_addr % PMD_SIZE;
	if ((flags & MREMAP_FIXED) && coaligned && old_len >= 16 * shim_page_size())
		return shim_mremap_pieces(old, old_len, new_len, flags, new_addr,
					  shim_page_size());
	return real_mremap(old, old_len, new_len, flags, new_addr);
}
