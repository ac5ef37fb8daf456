#include "backing.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "tag.h"

/* <linux/memfd.h> clashes with <sys/mman.h>; this is its encoding of
 * 2 MiB pages, log2 of the size in the bits from 26 on. */
#ifndef MFD_HUGE_2MB
#define MFD_HUGE_2MB (21u << 26)
#endif

/* /dev/shm is tmpfs on every Linux distribution; MMLITMUS_TMPFS overrides. */
const char *mml_tmpfs_dir(void)
{
	const char *dir = getenv("MMLITMUS_TMPFS");
	return dir ? dir : "/dev/shm";
}

static int open_tmpfs_file(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/mmlitmus.XXXXXX", mml_tmpfs_dir());
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	struct statfs fs;
	if (fstatfs(fd, &fs) < 0 || fs.f_type != TMPFS_MAGIC) {
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

static int open_file(enum mml_backing kind)
{
	if (kind == MML_BACKING_TMPFS)
		return open_tmpfs_file();
	unsigned flags = MFD_CLOEXEC;
	if (kind == MML_BACKING_HUGETLB)
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
	int fd = memfd_create("mmlitmus", flags);
	return fd < 0 ? -errno : fd;
}

/* Anonymous and shared memory with a page order ask the kernel for large
 * folios (MADV_HUGEPAGE); hugetlb pages are huge without asking. */
static bool asks_for_huge(const struct mml_store *s)
{
	return s->order > 0 && s->kind != MML_BACKING_HUGETLB;
}

static size_t folio_size(const struct mml_store *s)
{
	return s->page_size << s->order;
}

/* The whole file, mapped shared at a multiple of the folio size so that
 * the kernel may map its large folios whole.  MAP_NORESERVE: a hugetlb
 * store allocates only its own range of the file, and the rest of the
 * view must not take pages from the pool. */
static int map_view(struct mml_store *s)
{
	char *at = mml_reserve_aligned(s->size, folio_size(s));
	if (!at)
		return -errno;
	void *view = mmap(at, s->size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED | MAP_NORESERVE, s->fd, 0);
	if (view == MAP_FAILED) {
		int err = -errno;
		munmap(at, s->size);
		return err;
	}
	s->view = view;
	if (asks_for_huge(s) && madvise(view, s->size, MADV_HUGEPAGE) < 0)
		return -errno;
	return 0;
}

/* Allocate now: a file whose pages appear at first touch would turn a
 * reader's first read into a write fault elsewhere, and ENOSPC into a
 * SIGBUS in the middle of an iteration.  Shared memory decides a folio's
 * size when it allocates it, and under the "advise" settings only a fault
 * through a mapping that asked for huge pages gets large folios:
 * fallocate has no mapping to ask (Linux 6.18).  So a store with a page
 * order allocates by writing through its view. */
static int allocate(const struct mml_store *s)
{
	size_t from = (size_t)s->lo * s->page_size;
	size_t len = (size_t)(s->hi - s->lo) * s->page_size;
	int got = asks_for_huge(s)
			  ? madvise(s->view + from, len, MADV_POPULATE_WRITE)
			  : fallocate(s->fd, 0, (off_t)from, (off_t)len);
	return got < 0 ? -errno : 0;
}

int mml_store_open(struct mml_store *s, enum mml_backing kind,
		   uint32_t pages, uint32_t lo, uint32_t hi, size_t page_size,
		   unsigned order, const char **what)
{
	*s = (struct mml_store){.kind = kind, .fd = -1, .lo = lo, .hi = hi,
				.page_size = page_size, .order = order};
	if (kind == MML_BACKING_ANON)
		return 0;
	s->size = (size_t)pages * page_size;
	*what = kind == MML_BACKING_TMPFS ? "tmpfs file" : "memfd_create";
	int fd = open_file(kind);
	if (fd < 0)
		return fd;
	s->fd = fd;
	*what = "ftruncate";
	int err = ftruncate(fd, (off_t)s->size) < 0 ? -errno : 0;
	if (!err) {
		*what = "mmap of the backing file";
		err = map_view(s);
	}
	if (!err) {
		*what = "allocating the backing file";
		err = allocate(s);
	}
	if (err)
		mml_store_close(s);
	return err;
}

int mml_store_refill(const struct mml_store *s)
{
	if (ftruncate(s->fd, (off_t)s->size) < 0)
		return -errno;
	return allocate(s);
}

static bool same_shape(const struct mml_store *s, enum mml_backing kind,
		       size_t size, uint32_t lo, uint32_t hi, unsigned order)
{
	return s->kind == kind && s->size == size && s->lo == lo &&
	       s->hi == hi && s->order == order;
}

int mml_store_take(struct mml_shelf *shelf, struct mml_store *s,
		   enum mml_backing kind, uint32_t pages, uint32_t lo,
		   uint32_t hi, size_t page_size, unsigned order,
		   const char **what)
{
	size_t size = (size_t)pages * page_size;
	for (unsigned i = 0; shelf && i < shelf->n; i++) {
		if (!same_shape(&shelf->stores[i], kind, size, lo, hi, order))
			continue;
		*s = shelf->stores[i];
		shelf->stores[i] = shelf->stores[--shelf->n];
		return 0;
	}
	return mml_store_open(s, kind, pages, lo, hi, page_size, order, what);
}

void mml_store_shelve(struct mml_shelf *shelf, struct mml_store *s)
{
	if (!shelf || !mml_store_is_file(s) || s->kind == MML_BACKING_HUGETLB ||
	    !s->view) {
		mml_store_close(s);
		return;
	}
	if (shelf->n == MML_SHELF_SIZE) {
		mml_store_close(&shelf->stores[0]);
		shelf->stores[0] = shelf->stores[--shelf->n];
	}
	shelf->stores[shelf->n++] = *s;
	s->view = NULL;
	s->fd = -1;
}

void mml_store_close(struct mml_store *s)
{
	if (s->view)
		munmap(s->view, s->size);
	if (s->fd >= 0)
		close(s->fd);
	s->view = NULL;
	s->fd = -1;
}

bool mml_store_is_file(const struct mml_store *s)
{
	return s->kind != MML_BACKING_ANON;
}

static void write_tags(char *addr, size_t page_size, uint32_t lo, uint32_t hi,
		       uint32_t run, unsigned gen)
{
	for (uint32_t p = lo; p < hi; p++) {
		uint64_t *word = (uint64_t *)(addr + (size_t)(p - lo) * page_size);
		*word = mml_tag(run, gen, p);
	}
}

void mml_store_tag(const struct mml_store *s, uint32_t run, unsigned gen)
{
	char *first = s->view + (size_t)s->lo * s->page_size;
	write_tags(first, s->page_size, s->lo, s->hi, run, gen);
}

int mml_store_map(const struct mml_store *s, char *addr, uint32_t lo,
		  uint32_t hi, int map_flags)
{
	size_t len = (size_t)(hi - lo) * s->page_size;
	int prot = s->read_only ? PROT_READ : PROT_READ | PROT_WRITE;
	int flags = MAP_FIXED | map_flags;
	void *got;
	if (mml_store_is_file(s))
		got = mmap(addr, len, prot, flags | MAP_SHARED, s->fd,
			   (off_t)lo * s->page_size);
	else
		got = mmap(addr, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (got == MAP_FAILED)
		return -errno;
	/* Anonymous memory gets its folios at the first touch, through this
	 * mapping; a file's refault after a hole punch does too. */
	if (asks_for_huge(s) && madvise(addr, len, MADV_HUGEPAGE) < 0)
		return -errno;
	return 0;
}

int mml_store_install(const struct mml_store *s, char *addr, uint32_t lo,
		      uint32_t hi, uint32_t run, unsigned gen, bool populate)
{
	bool prefault = populate && mml_store_is_file(s);
	int err = mml_store_map(s, addr, lo, hi, prefault ? MAP_POPULATE : 0);
	if (err == 0 && !mml_store_is_file(s))
		write_tags(addr, s->page_size, lo, hi, run, gen);
	return err;
}

int mml_reserve(char *addr, size_t len)
{
	void *got = mmap(addr, len, PROT_NONE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
	return got == MAP_FAILED ? -errno : 0;
}

/* Reserve align bytes more than asked, and give back what lies before
 * the first multiple of align and after the range. */
char *mml_reserve_aligned(size_t len, size_t align)
{
	void *got = mmap(NULL, len + align, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (got == MAP_FAILED)
		return NULL;
	char *start = got;
	char *aligned = (char *)(((uintptr_t)start + align - 1) & ~(uintptr_t)(align - 1));
	size_t before = (size_t)(aligned - start);
	if (before)
		munmap(start, before);
	munmap(aligned + len, align - before);
	return aligned;
}
