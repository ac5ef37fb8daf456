/* Easy: every mprotect of two pages or more is made one page at a time,
 * from the lowest address up.  One field: the op kind (mprotect). */
#include <sys/mman.h>

#include "shim.h"

int mprotect(void *addr, size_t len, int prot)
{
	if (len >= 2 * shim_page_size())
		return shim_mprotect_pieces(addr, len, prot, shim_page_size());
	return real_mprotect(addr, len, prot);
}
