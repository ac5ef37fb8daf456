/* Huge memory: what this machine offers a program (large folios of the
 * page order it asks for, for each backing it maps, and hugetlb pages),
 * and whether a region really got them.  The kernel's settings live under
 * /sys/kernel/mm; the proof is /proc/self/pagemap with /proc/kpageflags
 * (root), or else what /proc/self/smaps can tell. */
#ifndef MMLITMUS_HUGE_H
#define MMLITMUS_HUGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

#define MML_THP_DIR "/sys/kernel/mm/transparent_hugepage"

/* Returns NULL when the machine offers every large folio and hugetlb page
 * the program needs, else a one-line reason naming the setting.  The
 * reason lives in a buffer of the calling thread until its next call. */
const char *mml_huge_unavailable(const struct mml_program *p);

/* The same question for one backing at one page order (above 0). */
const char *mml_huge_backing_unavailable(enum mml_backing b, unsigned order);

/* hugetlb pages of 2 MiB that the program's stores hold: generation 0 and
 * every op that maps a generation of hugetlb pages. */
uint64_t mml_hugetlb_needed(const struct mml_program *p);

/* The pool's pages no one has taken or reserved, into *pages; 0 or -1. */
int mml_hugetlb_free(uint64_t *pages);

/* The pool's directory for pages of the largest page order. */
void mml_hugetlb_dir(char *buf, size_t len);

/* The file of one folio size under MML_THP_DIR, e.g. hugepages-64kB/enabled. */
void mml_thp_size_path(char *buf, size_t len, unsigned order, const char *file);

/* Folio size of an order, in kB. */
unsigned mml_folio_kb(unsigned order);

/* The word in brackets of a setting such as "always [madvise] never", into
 * word.  Returns 0, or -1 when there is none or it does not fit. */
int mml_huge_setting(const char *text, char *word, size_t len);

/* A setting file's word in brackets; 0, or -1 when unreadable. */
int mml_huge_read_setting(const char *path, char *word, size_t len);

/* A file that holds one number, such as nr_hugepages; 0 or -1. */
int mml_huge_read_count(const char *path, uint64_t *out);

/* Whether private anonymous memory that asked (MADV_HUGEPAGE) gets
 * folios of one size: size is that size's "enabled" (NULL when the kernel
 * has no file per size), global is the top-level "enabled". */
bool mml_huge_anon_allows(const char *size, const char *global);

/* The same for shared memory (memfd), from "shmem_enabled". */
bool mml_huge_shmem_allows(const char *size, const char *global);

/* How a region's folios were told. */
enum mml_huge_method {
	MML_HUGE_NONE,       /* page order 0: nothing to tell */
	MML_HUGE_PAGEMAP,    /* each block's folio, from pagemap and kpageflags */
	MML_HUGE_SMAPS,      /* PMD mappings from smaps: order 9 only */
	MML_HUGE_UNVERIFIED, /* below order 9 without root nothing can tell */
	MML_HUGE_METHOD_COUNT,
};

struct mml_huge_count {
	enum mml_huge_method method;
	uint64_t blocks; /* folio-aligned blocks of 2^order pages looked at */
	uint64_t mapped; /* of them, mapped by one folio of at least that order */
};

/* Counts the blocks of pages [0, pages) at addr (aligned to the folio
 * size) that one folio of at least 2^order pages maps. */
void mml_huge_count(const char *addr, uint32_t pages, unsigned order,
		    struct mml_huge_count *out);

/* The block rule on pagemap PFNs (0: not present) and kpageflags words of
 * n pages: one folio holds them all when the PFNs run on without a gap,
 * every page is part of a compound page, and no page but the first heads
 * one. */
bool mml_huge_block_is_folio(const uint64_t *pfn, const uint64_t *flags,
			     uint32_t n);

const char *mml_huge_method_name(enum mml_huge_method m);

#endif
