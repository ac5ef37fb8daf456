#include "huge.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backing.h"
#include "ops.h"
#include "text.h"

enum {
	KPF_COMPOUND_HEAD = 15, /* include/uapi/linux/kernel-page-flags.h */
	KPF_COMPOUND_TAIL = 16,
	PAGEMAP_CHUNK = 4096, /* pages read at once: a multiple of any folio */
};

#define PAGEMAP_PRESENT (UINT64_C(1) << 63)
#define PAGEMAP_PFN ((UINT64_C(1) << 55) - 1)
#define RUN_AS_ROOT "; run as root with --huge-setup"

static _Thread_local char reason[512];

static const char *__attribute__((format(printf, 1, 2)))
refuse(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return reason;
}

unsigned mml_folio_kb(unsigned order)
{
	return (unsigned)(sysconf(_SC_PAGESIZE) / 1024) << order;
}

void mml_thp_size_path(char *buf, size_t len, unsigned order, const char *file)
{
	snprintf(buf, len, MML_THP_DIR "/hugepages-%ukB/%s", mml_folio_kb(order), file);
}

void mml_hugetlb_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/sys/kernel/mm/hugepages/hugepages-%ukB",
		 mml_folio_kb(MML_MAX_PAGE_ORDER));
}

int mml_huge_setting(const char *text, char *word, size_t len)
{
	const char *open = strchr(text, '[');
	const char *close = open ? strchr(open, ']') : NULL;
	if (!close || close == open + 1 || (size_t)(close - open - 1) >= len)
		return -1;
	memcpy(word, open + 1, (size_t)(close - open - 1));
	word[close - open - 1] = 0;
	return 0;
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t got = read(fd, buf, len - 1);
	close(fd);
	if (got < 0)
		return -1;
	buf[got] = 0;
	return 0;
}

int mml_huge_read_setting(const char *path, char *word, size_t len)
{
	char text[256];
	return read_text(path, text, sizeof text) ? -1
						  : mml_huge_setting(text, word, len);
}

int mml_huge_read_count(const char *path, uint64_t *out)
{
	char text[32];
	if (read_text(path, text, sizeof text))
		return -1;
	text[strcspn(text, "\n")] = 0;
	return mml_parse_number(text, UINT64_MAX, out);
}

static bool is(const char *word, const char *a, const char *b, const char *c)
{
	return strcmp(word, a) == 0 || strcmp(word, b) == 0 ||
	       (c && strcmp(word, c) == 0);
}

/* We always ask (MADV_HUGEPAGE), so "madvise" is as good as "always". */
bool mml_huge_anon_allows(const char *size, const char *global)
{
	const char *effective = !size || strcmp(size, "inherit") == 0 ? global : size;
	return is(effective, "always", "madvise", NULL);
}

/* "deny" turns huge pages off for all shared memory; "force" turns them
 * on, but then only the sizes that inherit it count (mm/shmem.c,
 * shmem_allowable_huge_orders). */
bool mml_huge_shmem_allows(const char *size, const char *global)
{
	if (strcmp(global, "deny") == 0)
		return false;
	bool inherits = !size || strcmp(size, "inherit") == 0;
	if (strcmp(global, "force") == 0)
		return inherits;
	if (inherits)
		return is(global, "always", "within_size", "advise");
	return is(size, "always", "within_size", "advise");
}

static const char *folio_name(unsigned order)
{
	static _Thread_local char name[32];
	snprintf(name, sizeof name, "%s %ukB", order == MML_MAX_PAGE_ORDER ? "THP" : "mTHP",
		 mml_folio_kb(order));
	return name;
}

/* The reason names the file whose value said no. */
static const char *refuse_setting(unsigned order, const char *kind,
				  const char *size, const char *size_path,
				  const char *global, const char *global_path)
{
	if (size && strcmp(size, "inherit") != 0)
		return refuse("%s %s is '%s' in %s" RUN_AS_ROOT, folio_name(order),
			      kind, size, size_path);
	if (size)
		return refuse("%s %s is 'inherit' in %s and '%s' in %s" RUN_AS_ROOT,
			      folio_name(order), kind, size_path, global, global_path);
	return refuse("%s %s is '%s' in %s" RUN_AS_ROOT, folio_name(order), kind,
		      global, global_path);
}

/* Settings of one folio size and the top level: the size's own file may be
 * missing (kernels before 6.8 have none), which only PMD size survives. */
struct thp_settings {
	char global[32], size[32], size_path[PATH_MAX];
	bool per_size;
};

static const char *read_thp(unsigned order, const char *file, const char *kind,
			    struct thp_settings *s)
{
	const char *global_path = strcmp(file, "enabled") == 0
					  ? MML_THP_DIR "/enabled"
					  : MML_THP_DIR "/shmem_enabled";
	if (mml_huge_read_setting(global_path, s->global, sizeof s->global))
		return refuse("this kernel has no transparent huge pages for %s memory (no %s)",
			      kind, global_path);
	mml_thp_size_path(s->size_path, sizeof s->size_path, order, file);
	s->per_size = mml_huge_read_setting(s->size_path, s->size, sizeof s->size) == 0;
	if (!s->per_size && order != MML_MAX_PAGE_ORDER)
		return refuse("%s %s is not offered by this kernel (no %s)",
			      folio_name(order), kind, s->size_path);
	return NULL;
}

static const char *anon_unavailable(unsigned order)
{
	struct thp_settings s;
	const char *why = read_thp(order, "enabled", "anon", &s);
	if (why || mml_huge_anon_allows(s.per_size ? s.size : NULL, s.global))
		return why;
	return refuse_setting(order, "anon", s.per_size ? s.size : NULL, s.size_path,
			      s.global, MML_THP_DIR "/enabled");
}

static const char *shmem_unavailable(unsigned order)
{
	struct thp_settings s;
	const char *why = read_thp(order, "shmem_enabled", "shmem", &s);
	if (why || mml_huge_shmem_allows(s.per_size ? s.size : NULL, s.global))
		return why;
	if (strcmp(s.global, "deny") == 0 || strcmp(s.global, "force") == 0)
		return refuse("%s shmem: %s is '%s'", folio_name(order),
			      MML_THP_DIR "/shmem_enabled", s.global);
	return refuse_setting(order, "shmem", s.per_size ? s.size : NULL, s.size_path,
			      s.global, MML_THP_DIR "/shmem_enabled");
}

/* The huge= option of the mount that holds dir ("never" when the mount
 * has none): the mount point that is the longest prefix of dir, the last
 * listed of equals (the top of a stack of mounts).  -1 unless it is tmpfs. */
static int tmpfs_huge_option(const char *dir, char *word, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	char line[4096], point[PATH_MAX], fstype[32], options[2048];
	size_t best = 0;
	bool found = false, tmpfs = false;
	while (fgets(line, sizeof line, f)) {
		const char *fields = strstr(line, " - ");
		if (!fields || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(fields, " - %31s %*s %2047s", fstype, options) != 2)
			continue;
		size_t n = strlen(point);
		bool holds = strncmp(dir, point, n) == 0 &&
			     (dir[n] == 0 || dir[n] == '/' || n == 1);
		if (!holds || n < best)
			continue;
		best = n;
		found = true;
		tmpfs = strcmp(fstype, "tmpfs") == 0;
		const char *huge = strstr(options, "huge=");
		snprintf(word, len, "%.*s", huge ? (int)strcspn(huge + 5, ",") : 5,
			 huge ? huge + 5 : "never");
	}
	fclose(f);
	return found && tmpfs ? 0 : -1;
}

/* tmpfs files take their folio size from the mount's huge= option, and
 * get PMD-size folios only: a file larger than that never got smaller
 * large folios here (Linux 6.18), whatever the per-size settings say. */
static const char *tmpfs_unavailable(unsigned order)
{
	if (order != MML_MAX_PAGE_ORDER)
		return refuse("tmpfs files get large folios of PMD size only (order 9, from the "
			      "huge= mount option), not order %u: use memfd", order);
	char global[32], huge[32], dir[PATH_MAX];
	if (mml_huge_read_setting(MML_THP_DIR "/shmem_enabled", global, sizeof global))
		return refuse("this kernel has no transparent huge pages for shmem (no %s)",
			      MML_THP_DIR "/shmem_enabled");
	if (strcmp(global, "deny") == 0)
		return refuse("THP tmpfs: %s is 'deny'", MML_THP_DIR "/shmem_enabled");
	if (strcmp(global, "force") == 0)
		return NULL;
	if (!realpath(mml_tmpfs_dir(), dir) || tmpfs_huge_option(dir, huge, sizeof huge))
		return refuse("%s is not on a tmpfs mount (see MMLITMUS_TMPFS)", mml_tmpfs_dir());
	if (is(huge, "always", "within_size", "advise"))
		return NULL;
	return refuse("THP %ukB tmpfs: the tmpfs at %s is mounted with huge=%s" RUN_AS_ROOT
		      ", or set MMLITMUS_TMPFS to a tmpfs mounted with huge=advise",
		      mml_folio_kb(order), dir, huge);
}

const char *mml_huge_backing_unavailable(enum mml_backing b, unsigned order)
{
	switch (b) {
	case MML_BACKING_ANON:
		return anon_unavailable(order);
	case MML_BACKING_MEMFD:
		return shmem_unavailable(order);
	case MML_BACKING_TMPFS:
		return tmpfs_unavailable(order);
	case MML_BACKING_HUGETLB:
	case MML_BACKING_COUNT:
		break;
	}
	return NULL;
}

uint64_t mml_hugetlb_needed(const struct mml_program *p)
{
	uint32_t per_page = 1u << MML_MAX_PAGE_ORDER;
	uint64_t n = p->backing == MML_BACKING_HUGETLB ? p->pages / per_page : 0;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct mml_op *op = &p->ops[i];
		if (mml_op_class(op->kind)->needs_store && op->backing == MML_BACKING_HUGETLB)
			n += (op->hi - op->lo) / per_page;
	}
	return n;
}

/* Reserved pages count as free but are promised to mappings already made. */
int mml_hugetlb_free(uint64_t *pages)
{
	char dir[128], path[192];
	uint64_t free, reserved;
	mml_hugetlb_dir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/free_hugepages", dir);
	if (mml_huge_read_count(path, &free))
		return -1;
	snprintf(path, sizeof path, "%s/resv_hugepages", dir);
	if (mml_huge_read_count(path, &reserved))
		return -1;
	*pages = free > reserved ? free - reserved : 0;
	return 0;
}

static const char *hugetlb_unavailable(const struct mml_program *p)
{
	char dir[128];
	uint64_t need = mml_hugetlb_needed(p), free;
	mml_hugetlb_dir(dir, sizeof dir);
	if (mml_hugetlb_free(&free))
		return refuse("this kernel has no hugetlb pages of %ukB (no %s)",
			      mml_folio_kb(MML_MAX_PAGE_ORDER), dir);
	if (free >= need)
		return NULL;
	return refuse("hugetlb: the program needs %" PRIu64 " pages of %ukB and %s has %"
		      PRIu64 " free (free_hugepages less resv_hugepages)" RUN_AS_ROOT,
		      need, mml_folio_kb(MML_MAX_PAGE_ORDER), dir, free);
}

static const char *backing_unavailable(const struct mml_program *p,
				      enum mml_backing b)
{
	if (b == MML_BACKING_HUGETLB)
		return hugetlb_unavailable(p);
	return mml_huge_backing_unavailable(b, p->page_order);
}

const char *mml_huge_unavailable(const struct mml_program *p)
{
	if (p->page_order == 0)
		return NULL;
	for (int b = 0; b < MML_BACKING_COUNT; b++) {
		bool maps = mml_program_maps(p, (enum mml_backing)b);
		const char *why = maps ? backing_unavailable(p, (enum mml_backing)b) : NULL;
		if (why)
			return why;
	}
	return NULL;
}

bool mml_huge_block_is_folio(const uint64_t *pfn, const uint64_t *flags,
			     uint32_t n)
{
	const uint64_t head = UINT64_C(1) << KPF_COMPOUND_HEAD;
	const uint64_t tail = UINT64_C(1) << KPF_COMPOUND_TAIL;
	for (uint32_t i = 0; i < n; i++) {
		if (pfn[i] == 0 || pfn[i] != pfn[0] + i || !(flags[i] & (head | tail)))
			return false;
		if (i > 0 && (flags[i] & head))
			return false;
	}
	return true;
}

/* PFNs of n pages from addr, 0 for a page not present.  Returns 1 when
 * the kernel hid the PFNs (it does without CAP_SYS_ADMIN), 0, or -1. */
static int read_pfns(int pagemap, const char *addr, uint32_t n, uint64_t *pfn)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	off_t at = (off_t)((uintptr_t)addr / page * sizeof *pfn);
	if (pread(pagemap, pfn, n * sizeof *pfn, at) != (ssize_t)(n * sizeof *pfn))
		return -1;
	int hidden = 0;
	for (uint32_t i = 0; i < n; i++) {
		bool present = pfn[i] & PAGEMAP_PRESENT;
		pfn[i] = present ? pfn[i] & PAGEMAP_PFN : 0;
		hidden |= present && pfn[i] == 0;
	}
	return hidden;
}

/* One read per run of consecutive PFNs; a page not present reads 0. */
static void read_flags(int kpageflags, const uint64_t *pfn, uint32_t n,
		       uint64_t *flags)
{
	for (uint32_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && pfn[i] && pfn[j] == pfn[j - 1] + 1; j++)
			;
		size_t len = (j - i) * sizeof *flags;
		if (!pfn[i] || pread(kpageflags, &flags[i], len,
				     (off_t)(pfn[i] * sizeof *flags)) != (ssize_t)len)
			memset(&flags[i], 0, len);
	}
}

static int count_chunks(int pagemap, int kpageflags, const char *addr,
			uint32_t pages, unsigned order, struct mml_huge_count *out)
{
	uint64_t pfn[PAGEMAP_CHUNK], flags[PAGEMAP_CHUNK];
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t block = 1u << order;
	for (uint32_t at = 0; at < pages; at += PAGEMAP_CHUNK) {
		uint32_t n = pages - at < PAGEMAP_CHUNK ? pages - at : PAGEMAP_CHUNK;
		if (read_pfns(pagemap, addr + (size_t)at * page, n, pfn))
			return -1;
		read_flags(kpageflags, pfn, n, flags);
		for (uint32_t b = 0; b < n; b += block) {
			out->blocks++;
			out->mapped += mml_huge_block_is_folio(pfn + b, flags + b, block);
		}
	}
	return 0;
}

static int count_by_pagemap(const char *addr, uint32_t pages, unsigned order,
			    struct mml_huge_count *out)
{
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kpageflags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	int status = -1;
	if (pagemap >= 0 && kpageflags >= 0)
		status = count_chunks(pagemap, kpageflags, addr, pages, order, out);
	if (pagemap >= 0)
		close(pagemap);
	if (kpageflags >= 0)
		close(kpageflags);
	out->method = MML_HUGE_PAGEMAP;
	return status;
}

/* The smaps fields that count memory mapped by PMDs (or hugetlb pages). */
static bool is_pmd_field(const char *name)
{
	static const char *const fields[] = {
		"AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
		"Shared_Hugetlb", "Private_Hugetlb",
	};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (strcmp(name, fields[i]) == 0)
			return true;
	return false;
}

/* PMD mappings of the VMAs wholly inside the region, which generation 0
 * covers, so that a neighbour's huge pages are never counted. */
static void count_by_smaps(const char *addr, uint32_t pages, unsigned order,
			   struct mml_huge_count *out)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return;
	uintptr_t lo = (uintptr_t)addr;
	uintptr_t hi = lo + (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
	char line[512], name[64];
	bool inside = false;
	uint64_t kb = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long start, end;
		unsigned long long value;
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = start >= lo && end <= hi;
		else if (inside && sscanf(line, "%63[^:]: %llu kB", name, &value) == 2 &&
			 is_pmd_field(name))
			kb += value;
	}
	fclose(f);
	out->method = MML_HUGE_SMAPS;
	out->blocks = pages >> order;
	out->mapped = kb / mml_folio_kb(order);
}

void mml_huge_count(const char *addr, uint32_t pages, unsigned order,
		    struct mml_huge_count *out)
{
	*out = (struct mml_huge_count){.method = MML_HUGE_NONE};
	if (order == 0 || count_by_pagemap(addr, pages, order, out) == 0)
		return;
	*out = (struct mml_huge_count){.method = MML_HUGE_UNVERIFIED};
	if (order == MML_MAX_PAGE_ORDER)
		count_by_smaps(addr, pages, order, out);
}

const char *mml_huge_method_name(enum mml_huge_method m)
{
	static const char *const names[MML_HUGE_METHOD_COUNT] = {
		[MML_HUGE_NONE] = "none",
		[MML_HUGE_PAGEMAP] = "pagemap",
		[MML_HUGE_SMAPS] = "smaps",
		[MML_HUGE_UNVERIFIED] = "unverified",
	};
	return names[m];
}
