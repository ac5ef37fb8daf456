/* Backings: the memory a generation's pages come from.  A store is one
 * generation's backing, opened once per run and re-tagged every iteration
 * (one store per page), so an iteration costs no file creation and no page
 * fill beyond what private anonymous memory makes unavoidable. */
#ifndef MMLITMUS_BACKING_H
#define MMLITMUS_BACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

struct mml_store {
	enum mml_backing kind;
	int fd;         /* -1 for anonymous memory */
	char *view;     /* the file mapped shared and writable, for tagging */
	size_t size;    /* of the file: the whole region, so offset = page */
	uint32_t lo, hi; /* the pages this generation provides */
	size_t page_size;
	unsigned order; /* folios of 2^order pages are asked for (huge.h) */
	bool read_only; /* mapped into the region PROT_READ (program.h) */
};

/* Returns 0 or -errno; on failure *what names the step that failed. */
int mml_store_open(struct mml_store *s, enum mml_backing kind,
		   uint32_t pages, uint32_t lo, uint32_t hi, size_t page_size,
		   unsigned order, const char **what);
void mml_store_close(struct mml_store *s);
/* File backings: the file's full size and every page of the store
 * allocated again, after an op truncated it or punched holes in it. */
int mml_store_refill(const struct mml_store *s);

/* A shelf: file stores kept open between runs, so that a fuzz target's
 * executions, which often differ in a byte or two, reuse a backing file
 * with the same shape instead of creating, filling and freeing one each
 * time.  A store is found again by its shape (kind, size, pages, order);
 * its tags are written anew by every iteration's reset.  hugetlb stores
 * are not kept: they would hold pool pages that the next run may need. */
enum { MML_SHELF_SIZE = 8 };

struct mml_shelf {
	struct mml_store stores[MML_SHELF_SIZE];
	unsigned n;
};

/* mml_store_open, or a store of the same shape from the shelf. */
int mml_store_take(struct mml_shelf *shelf, struct mml_store *s,
		   enum mml_backing kind, uint32_t pages, uint32_t lo,
		   uint32_t hi, size_t page_size, unsigned order,
		   const char **what);
/* Keeps the store on the shelf (closing the oldest when it is full), or
 * closes it when it cannot be kept. */
void mml_store_shelve(struct mml_shelf *shelf, struct mml_store *s);
bool mml_store_is_file(const struct mml_store *s);

/* File backings: write this iteration's tags into the file itself. */
void mml_store_tag(const struct mml_store *s, uint32_t run, unsigned gen);

/* mmap(MAP_FIXED | map_flags) pages [lo, hi) of the store at addr (where
 * page lo goes).  Anonymous stores map fresh zero pages.  Returns 0 or
 * -errno. */
int mml_store_map(const struct mml_store *s, char *addr, uint32_t lo,
		  uint32_t hi, int map_flags);

/* Map, and for anonymous memory write the tags into the mapping: the
 * generation's full content, ready before any reader looks. */
int mml_store_install(const struct mml_store *s, char *addr, uint32_t lo,
		      uint32_t hi, uint32_t run, unsigned gen, bool populate);

/* Keep an address range ours: PROT_NONE anonymous, MAP_FIXED. */
int mml_reserve(char *addr, size_t len);

/* A new PROT_NONE reservation of len bytes at a multiple of align (a
 * power of two), or NULL with errno set. */
char *mml_reserve_aligned(size_t len, size_t align);

/* Where tmpfs backings create their files: MMLITMUS_TMPFS or /dev/shm. */
const char *mml_tmpfs_dir(void);

#endif
