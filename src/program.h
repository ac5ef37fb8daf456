/* The litmus program model: what one test runs (see doc/oracle.md, "A litmus
 * program").  A program is plain data; validation is the only logic here,
 * so that the CLI, the tests and later the fuzz decoder build programs the
 * same way and are refused for the same reasons. */
#ifndef MMLITMUS_PROGRAM_H
#define MMLITMUS_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	/* Tags give a page index 24 bits and a generation 8 bits (tag.h);
	 * three generation values are kept for ZERO, HOLE and unknown. */
	MML_MAX_PAGES = 1u << 24,
	MML_MAX_OPS = 64,
	MML_MAX_READERS = 64,
	MML_NO_CPU = -1,   /* not pinned */
	MML_AUTO_CPU = -2, /* placed at run time: see mml_program_place */
	MML_MAX_REPEAT = 1u << 16,
	MML_MAX_PAGE_ORDER = 9, /* 2 MiB folios: PMD-mapped THP, hugetlb */
};

enum mml_backing {
	MML_BACKING_MEMFD, /* shared memfd: the classic file of zeros/ones */
	MML_BACKING_TMPFS, /* regular file on tmpfs (/dev/shm), shared */
	MML_BACKING_ANON,  /* private anonymous memory */
	MML_BACKING_HUGETLB, /* shared memfd of hugetlb pages (page order 9) */
	MML_BACKING_COUNT,
};

enum mml_op_kind {
	MML_OP_MAPFIXED,
	MML_OP_MUNMAP,
	MML_OP_MREMAP,
	MML_OP_DONTNEED,
	MML_OP_MPROTECT,
	MML_OP_PIECEWISE,
	MML_OP_SHRINK,   /* mremap shrinking in place: the tail becomes a hole */
	MML_OP_GROW,     /* mremap growing while it moves onto the range */
	MML_OP_TRUNCATE, /* ftruncate of generation 0's file */
	MML_OP_PUNCH,    /* fallocate(PUNCH_HOLE) of generation 0's file */
	MML_OP_FREE,     /* MADV_FREE */
	MML_OP_PAGEOUT,  /* MADV_PAGEOUT */
	MML_OP_COLLAPSE, /* MADV_COLLAPSE */
	MML_OP_REMOVE,   /* MADV_REMOVE */
	MML_OP_MLOCK,
	MML_OP_MIGRATE,  /* move_pages to another NUMA node */
	MML_OP_COUNT,
};

enum mml_prot { MML_PROT_NONE, MML_PROT_READ };

/* Where mremap's source sits relative to its destination: it decides
 * whether the kernel moves single PTEs, whole PMD tables or PUD tables. */
enum mml_align {
	MML_ALIGN_PTE, /* co-aligned to 4 KiB only */
	MML_ALIGN_PMD, /* to 2 MiB */
	MML_ALIGN_PUD, /* to 1 GiB */
	MML_ALIGN_COUNT,
};

/* Unrelated mm work in the same process while the ops run (doc/oracle.md,
 * "A litmus program"). */
enum mml_perturb {
	MML_PERTURB_NONE,
	MML_PERTURB_FORK, /* fork a child that touches memory and exits */
	MML_PERTURB_MMAP, /* map, touch and unmap elsewhere */
	MML_PERTURB_COUNT,
};

enum mml_read_order {
	MML_ORDER_ASC,
	MML_ORDER_DESC,
	MML_ORDER_RANDOM,   /* a seeded permutation, new every iteration */
	MML_ORDER_STRIDE,   /* 0, s, 2s, ..., then 1, 1+s, ... */
	MML_ORDER_PINGPONG, /* 0, n-1, 1, n-2, ...: both ends towards the middle */
	MML_ORDER_SINGLE,   /* one page, over and over */
	MML_ORDER_COUNT,
};

enum mml_delay {
	MML_DELAY_NONE,
	MML_DELAY_SPIN,  /* busy loop of up to `amount` pause instructions */
	MML_DELAY_YIELD, /* sched_yield() */
	MML_DELAY_SLEEP, /* nanosleep of up to `amount` ns */
	MML_DELAY_COUNT,
};

/* The classic program's spin, and spin's when no amount is named: long
 * enough that a reader whose first touches of the region take 100 us
 * (a VM's shadow page tables) has its pages in the TLB when the op
 * starts in some iterations, while most pauses stay short (rng.h,
 * mml_rng_any_scale; bench/README.md, "Where the op starts"). */
enum { MML_SPIN_DEFAULT = 10000 };

struct mml_op {
	enum mml_op_kind kind;
	uint32_t lo, hi;          /* page range [lo, hi) */
	enum mml_backing backing; /* ops that map a new generation */
	enum mml_prot prot;       /* mprotect */
	bool descending;          /* piecewise: replace pages from hi-1 down to lo */
	enum mml_align align;     /* mremap, grow */
	bool dontunmap;           /* mremap: MREMAP_DONTUNMAP */
	bool populate;            /* mapfixed: MAP_POPULATE */
	bool locked;              /* mapfixed: MAP_LOCKED */
};

struct mml_reader {
	enum mml_read_order order;
	uint32_t param; /* stride for STRIDE, the page for SINGLE */
	int cpu;        /* MML_NO_CPU: not pinned */
};

struct mml_program {
	uint32_t pages; /* base pages; a multiple of 2^page_order */
	/* Folio order the backings ask for: 0 base pages, 1..8 mTHP, 9 THP or
	 * hugetlb.  Anonymous and shmem memory get MADV_HUGEPAGE; whether the
	 * kernel obliges is checked at run time (huge.h). */
	unsigned page_order;
	enum mml_backing backing; /* generation 0 over the whole region */
	bool populate;            /* prefault generation 0 before readers start */
	/* Map the file generations PROT_READ.  Their page table entries then
	 * stay clean, and a zap of clean entries flushes the readers' TLBs
	 * once, at its end, where dirty ones are flushed as they go: readers
	 * keep reading the old pages through the whole zap (doc/oracle.md,
	 * "Clean and dirty mappings"). */
	bool read_only;
	unsigned nops;
	struct mml_op ops[MML_MAX_OPS];
	unsigned nreaders;
	struct mml_reader readers[MML_MAX_READERS];
	int mapper_cpu;
	enum mml_delay delay;  /* before each op; the amount is drawn per op */
	uint32_t delay_amount; /* upper bound, drawn at every scale alike */
	uint32_t reader_yield; /* a reader yields every this many reads; 0 never */
	bool share;            /* readers publish what they know (doc/oracle.md) */
	bool write;            /* readers also store into the pages they read */
	enum mml_perturb perturb;
	uint32_t repeat;       /* iterations one execution runs (fuzzing, replay) */
};

/* The classic litmus: 16 pages of a memfd of zeros, one ascending reader on
 * another CPU than the mapper, one mapfixed of a memfd of ones. */
void mml_program_classic(struct mml_program *p);

/* Returns NULL when the program can run, else a one-line reason.  Whether
 * this machine offers what it asks for (huge pages, NUMA nodes) is
 * checked when it runs. */
const char *mml_program_check(const struct mml_program *p);

/* The part of the check about op j (1-based) alone and the ops before it. */
const char *mml_program_check_op(const struct mml_program *p, unsigned j);

/* Whether generation 0 or any op maps hugetlb pages. */
bool mml_program_uses_hugetlb(const struct mml_program *p);

/* Whether generation 0 or an op that maps a generation of its own maps
 * memory of backing b. */
bool mml_program_maps(const struct mml_program *p, enum mml_backing b);

#endif
