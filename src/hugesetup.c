#include "hugesetup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "backing.h"
#include "huge.h"

enum { MAX_SAVED = 16 };

struct saved_setting {
	char path[PATH_MAX];
	char value[32];
	size_t len;
};

static struct saved_setting saved[MAX_SAVED];
static volatile sig_atomic_t nsaved;

static int __attribute__((format(printf, 3, 4)))
refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int write_value(const char *path, const char *value, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, value, len);
	int err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)len ? 0 : -1;
}

/* The entry is counted before the write, so that a signal between the
 * write and the count cannot leave a change nobody puts back; writing
 * back a value that was never changed is harmless. */
static int change(const char *path, const char *old, const char *value,
		  FILE *log, char *why, size_t len)
{
	if (nsaved == MAX_SAVED)
		return refuse(why, len, "--huge-setup: too many settings to change");
	struct saved_setting *s = &saved[nsaved];
	snprintf(s->path, sizeof s->path, "%s", path);
	snprintf(s->value, sizeof s->value, "%s", old);
	s->len = strlen(s->value);
	nsaved++;
	if (write_value(path, value, strlen(value)))
		return refuse(why, len, "--huge-setup: writing %s to %s: %s", value, path,
			      strerror(errno));
	fprintf(log, "mmlitmus: --huge-setup: %s: %s, was %s\n", path, value, old);
	return 0;
}

static int change_setting(const char *path, const char *value, FILE *log,
			  char *why, size_t len)
{
	char old[32];
	if (mml_huge_read_setting(path, old, sizeof old))
		return refuse(why, len, "--huge-setup: cannot read %s", path);
	return change(path, old, value, log, why, len);
}

/* The folio size's own file when the kernel has one, else at PMD size the
 * top-level file; a size the kernel does not offer is left for the
 * availability check to name. */
static int set_thp(unsigned order, const char *file, const char *value,
		   FILE *log, char *why, size_t len)
{
	char path[PATH_MAX], word[32];
	mml_thp_size_path(path, sizeof path, order, file);
	if (mml_huge_read_setting(path, word, sizeof word) == 0)
		return change_setting(path, value, log, why, len);
	if (order != MML_MAX_PAGE_ORDER)
		return 0;
	snprintf(path, sizeof path, MML_THP_DIR "/%s", file);
	return change_setting(path, value, log, why, len);
}

/* A tmpfs mount's huge= option belongs to the whole mount, which other
 * programs share; a tmpfs of our own over the directory, in a mount
 * namespace of this process, changes nothing they see and goes away
 * with the process. */
static int mount_tmpfs(FILE *log, char *why, size_t len)
{
	const char *dir = mml_tmpfs_dir();
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("mmlitmus", dir, "tmpfs", MS_NOSUID | MS_NODEV, "huge=advise,mode=1777") < 0)
		return refuse(why, len, "--huge-setup: mounting a tmpfs with huge=advise on %s: %s",
			      dir, strerror(errno));
	fprintf(log, "mmlitmus: --huge-setup: %s: a tmpfs with huge=advise, in a mount "
		"namespace of this process\n", dir);
	return 0;
}

static int add_hugetlb_pages(const struct mml_program *p, FILE *log, char *why,
			     size_t len)
{
	uint64_t need = mml_hugetlb_needed(p), free, now;
	char dir[128], path[PATH_MAX], old[32], value[32];
	mml_hugetlb_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/nr_hugepages", dir);
	if (mml_hugetlb_free(&free) || free >= need || mml_huge_read_count(path, &now))
		return 0;
	snprintf(old, sizeof old, "%" PRIu64, now);
	snprintf(value, sizeof value, "%" PRIu64, now + need - free);
	return change(path, old, value, log, why, len);
}

static int set_up_backing(const struct mml_program *p, enum mml_backing b,
			  FILE *log, char *why, size_t len)
{
	unsigned order = p->page_order;
	if (b == MML_BACKING_HUGETLB)
		return add_hugetlb_pages(p, log, why, len);
	if (!mml_huge_backing_unavailable(b, order))
		return 0;
	if (b == MML_BACKING_ANON)
		return set_thp(order, "enabled", "madvise", log, why, len);
	if (b == MML_BACKING_MEMFD)
		return set_thp(order, "shmem_enabled", "advise", log, why, len);
	if (order == MML_MAX_PAGE_ORDER)
		return mount_tmpfs(log, why, len);
	return 0;
}

int mml_huge_setup(const struct mml_program *p, FILE *log, char *why,
		   size_t len)
{
	if (p->page_order == 0)
		return 0;
	if (geteuid() != 0)
		return refuse(why, len, "--huge-setup needs root: it writes settings under "
			      "/sys/kernel/mm");
	for (int b = 0; b < MML_BACKING_COUNT; b++)
		if (mml_program_maps(p, (enum mml_backing)b) &&
		    set_up_backing(p, (enum mml_backing)b, log, why, len))
			return -1;
	return 0;
}

void mml_huge_restore(void)
{
	while (nsaved > 0) {
		const struct saved_setting *s = &saved[nsaved - 1];
		write_value(s->path, s->value, s->len);
		nsaved--;
	}
}
