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

/* /dev/shm is tmpfs on every Linux distribution; MMLITMUS_TMPFS overrides. */
static int open_tmpfs_file(void)
{
	const char *dir = getenv("MMLITMUS_TMPFS");
	char path[4096];
	snprintf(path, sizeof path, "%s/mmlitmus.XXXXXX", dir ? dir : "/dev/shm");
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
	int fd = memfd_create("mmlitmus", MFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int mml_store_open(struct mml_store *s, enum mml_backing kind,
		   uint32_t pages, uint32_t lo, uint32_t hi, size_t page_size,
		   const char **what)
{
	*s = (struct mml_store){.kind = kind, .fd = -1, .lo = lo, .hi = hi,
				.page_size = page_size};
	if (kind == MML_BACKING_ANON)
		return 0;
	s->size = (size_t)pages * page_size;
	*what = kind == MML_BACKING_TMPFS ? "tmpfs file in /dev/shm" : "memfd_create";
	int fd = open_file(kind);
	if (fd < 0)
		return fd;
	s->fd = fd;
	*what = "ftruncate";
	if (ftruncate(fd, (off_t)s->size) < 0)
		goto fail;
	*what = "fallocate";
	/* Allocate now: a file whose pages appear at first touch would turn a
	 * reader's first read into a write fault elsewhere, and ENOSPC into a
	 * SIGBUS in the middle of an iteration. */
	if (fallocate(fd, 0, (off_t)lo * page_size,
		      (off_t)(hi - lo) * page_size) < 0)
		goto fail;
	*what = "mmap of the backing file";
	void *view = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (view == MAP_FAILED)
		goto fail;
	s->view = view;
	return 0;
fail:;
	int err = -errno;
	mml_store_close(s);
	return err;
}

int mml_store_refill(const struct mml_store *s)
{
	if (ftruncate(s->fd, (off_t)s->size) < 0 ||
	    fallocate(s->fd, 0, (off_t)s->lo * (off_t)s->page_size,
		      (off_t)(s->hi - s->lo) * (off_t)s->page_size) < 0)
		return -errno;
	return 0;
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
	int prot = PROT_READ | PROT_WRITE;
	int flags = MAP_FIXED | map_flags;
	void *got;
	if (mml_store_is_file(s))
		got = mmap(addr, len, prot, flags | MAP_SHARED, s->fd,
			   (off_t)lo * s->page_size);
	else
		got = mmap(addr, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	return got == MAP_FAILED ? -errno : 0;
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
