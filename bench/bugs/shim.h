/* What the planted bugs share.  Each bug is a library loaded with
 * LD_PRELOAD in front of libc: it wraps mmap, mprotect or mremap (the
 * harness calls them through libc, src/ops.c and src/backing.c), and when
 * its condition holds it carries the call out in pieces instead of at
 * once.  Between two pieces a reader can see the new mapping on one page
 * and the old one on another: the call is no longer atomic, and a
 * program that meets the condition can fire.  When the condition does
 * not hold the call goes to libc unchanged. */
#ifndef MMLITMUS_SHIM_H
#define MMLITMUS_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The calls past the shim (dlsym RTLD_NEXT). */
void *real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int real_munmap(void *addr, size_t len);
int real_mprotect(void *addr, size_t len, int prot);
int real_madvise(void *addr, size_t len, int advice);
void *real_mremap(void *old, size_t old_len, size_t new_len, int flags,
		  void *new_addr);

size_t shim_page_size(void);

/* The call in pieces of `piece` bytes from the lowest address up, the
 * last piece taking what is left; the same result as the whole call when
 * every piece succeeds.  A mapping whose pages are larger than a piece
 * (hugetlb) refuses the first piece; then the call is made whole. */
void *shim_mmap_pieces(void *addr, size_t len, int prot, int flags, int fd,
		       off_t off, size_t piece);
int shim_mprotect_pieces(void *addr, size_t len, int prot, size_t piece);
/* A move that grows (grow) grows in its last piece. */
void *shim_mremap_pieces(void *old, size_t old_len, size_t new_len, int flags,
			 void *new_addr, size_t piece);

/* mmap's MAP_FIXED of a mapping a reader can read, two pages or more:
 * the harness's generations, not its PROT_NONE reservations. */
bool shim_maps_readable(size_t len, int prot, int flags);

/* Whether fd is a file on tmpfs other than a memfd. */
bool shim_is_tmpfs_file(int fd);

/* The mapping that holds addr, from /proc/self/maps; false when none. */
bool shim_vma_of(const void *addr, unsigned long *start, unsigned long *end);

#endif
