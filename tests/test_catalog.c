/* The op catalog's model, without threads: the value class each op gives a
 * page (the history tables the oracle reads), the ops the kernel would
 * refuse (mml_program_check), MADV_FREE's two legal values through the
 * oracle, and the decoder's repair of impossible ops.  Output is TAP. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"
#include "history.h"
#include "ops.h"
#include "oracle.h"
#include "program.h"
#include "tag.h"
#include "tap.h"
#include "text.h"


/* A program of `pages` pages over `backing` with the given op specs. */
static void program(struct mml_program *p, uint32_t pages,
		    enum mml_backing backing, const char *const *ops)
{
	mml_program_classic(p);
	p->pages = pages;
	p->backing = backing;
	p->nops = 0;
	for (; *ops; ops++)
		if (mml_op_parse(*ops, pages, &p->ops[p->nops++]))
			printf("# bad op spec %s\n", *ops);
}

/* Value ids of every page once op j is in effect, as "v0 v1 ...", with
 * Z for zeros, H for holes and numbers for generations. */
static void row_text(const struct mml_history *h, unsigned j, char *buf,
		     size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (uint32_t page = 0; page < h->pages && used < len; page++) {
		uint8_t v = mml_history_row(h->value, h, page)[j];
		int n = v == MML_V_ZERO   ? snprintf(buf + used, len - used, "Z")
			: v == MML_V_HOLE ? snprintf(buf + used, len - used, "H")
					  : snprintf(buf + used, len - used, "%u", v);
		used += n > 0 ? (size_t)n : 0;
	}
}

/* After the last op, the pages read as `want`. */
static void values(uint32_t pages, enum mml_backing backing,
		   const char *const *ops, const char *want, const char *what)
{
	struct mml_program p;
	struct mml_history h;
	program(&p, pages, backing, ops);
	const char *why = mml_program_check(&p);
	char got[128] = "";
	if (!why && mml_history_build(&h, &p) == 0) {
		row_text(&h, p.nops, got, sizeof got);
		mml_history_free(&h);
	}
	if (why || strcmp(got, want))
		printf("# got '%s', want '%s'%s%s\n", got, want, why ? "; refused: " : "",
		       why ? why : "");
	ok(!why && strcmp(got, want) == 0, what);
}

static void test_values(void)
{
	values(8, MML_BACKING_MEMFD, (const char *[]){"shrink", NULL}, "0HHHHHHH",
	       "shrink keeps the first folio and leaves holes after it");
	values(8, MML_BACKING_MEMFD, (const char *[]){"grow", NULL}, "11111111",
	       "grow of a file: the grown half maps the file further on");
	values(8, MML_BACKING_MEMFD, (const char *[]){"grow:anon", NULL}, "1111ZZZZ",
	       "grow of anonymous memory: the grown half is fresh zeros");
	values(8, MML_BACKING_MEMFD, (const char *[]){"truncate:4-8", NULL}, "0000HHHH",
	       "truncate: pages of gen 0's file past the new end are holes (SIGBUS)");
	values(8, MML_BACKING_MEMFD,
	       (const char *[]){"mapfixed:4-6", "truncate:2-8", NULL}, "00HH11HH",
	       "truncate cuts gen 0's file only, not another generation's");
	values(8, MML_BACKING_TMPFS, (const char *[]){"punch:2-4", NULL}, "00ZZ0000",
	       "punch: shared memory reads zeros in the hole");
	values(8, MML_BACKING_MEMFD, (const char *[]){"remove:0-2", NULL}, "ZZ000000",
	       "remove: shared memory reads zeros");
	values(8, MML_BACKING_MEMFD,
	       (const char *[]){"truncate:4-8", "remove", NULL}, "ZZZZHHHH",
	       "remove leaves a truncated page a hole");
	values(8, MML_BACKING_ANON, (const char *[]){"free", NULL}, "00000000",
	       "free: the old value stays the page's value (zeros are its alternative)");
	values(8, MML_BACKING_ANON,
	       (const char *[]){"pageout", "collapse", "mlock", "migrate", NULL},
	       "00000000", "pageout, collapse, mlock and migrate change no value");
	values(8, MML_BACKING_MEMFD,
	       (const char *[]){"punch:4-8", "truncate:6-8", NULL}, "0000ZZHH",
	       "truncate cuts a punched page of gen 0's file too: it reads zeros, it is still that file");
	values(8, MML_BACKING_TMPFS,
	       (const char *[]){"remove:0-4", "truncate:2-8", NULL}, "ZZHHHHHH",
	       "and a page MADV_REMOVE emptied");
	values(8, MML_BACKING_MEMFD,
	       (const char *[]){"truncate:6-8", "mprotect:none", "mprotect:read", NULL},
	       "000000HH", "a truncated page stays a hole when made readable again");
}

static void test_free_alternative(void)
{
	struct mml_program p;
	struct mml_history h;
	program(&p, 4, MML_BACKING_ANON, (const char *[]){"free", "mapfixed", NULL});
	mml_history_build(&h, &p);
	bool table = h.alt[0 * h.ngens + 1] == MML_V_ZERO &&
		     h.alt[0 * h.ngens + 0] == MML_V_BAD &&
		     h.alt[0 * h.ngens + 2] == MML_V_BAD &&
		     h.lastcover[0 * h.ngens + 1] == 0;
	ok(table, "free: zeros are the alternative while it is the last op, and it covers nothing");

	bool atomic[3] = {false, false, true};
	uint8_t seen[4];
	struct mml_violation kept[4];
	struct mml_oracle o;
	mml_oracle_init(&o, &h, atomic, seen, kept, 4);
	struct mml_obs ob = {.page = 0, .value = MML_V_ZERO,
			     .before = 0, .after = 0};
	int flags = mml_oracle_observe(&o, &ob);
	ok(flags & MML_OBSERVED_VIOLATION && o.count[MML_FUTURE][1] == 1,
	   "zeros before free began are a future value");
	mml_oracle_reset(&o);
	ob.before = ob.after = mml_state_running(1);
	flags = mml_oracle_observe(&o, &ob);
	ok(flags == MML_OBSERVED_RAISED && o.k.m == 1,
	   "zeros while free runs are legal and prove it began");
	ob = (struct mml_obs){.page = 1, .value = 0, .before = mml_state_done(1),
			      .after = mml_state_done(1)};
	ok(mml_oracle_observe(&o, &ob) == 0,
	   "the old value after free returned is legal: reclaim may not have come");
	ob = (struct mml_obs){.page = 0, .value = 0, .before = mml_state_done(1),
			      .after = mml_state_done(1)};
	ok(mml_oracle_observe(&o, &ob) == 0,
	   "the old value on a page that read zeros is legal too (no false same-page)");
	ob = (struct mml_obs){.page = 2, .value = MML_V_ZERO,
			      .before = mml_state_done(2), .after = mml_state_done(2)};
	flags = mml_oracle_observe(&o, &ob);
	ok(o.count[MML_STALE_AFTER_RETURN][1] == 1,
	   "zeros after a later mapfixed returned are stale after return");
	mml_history_free(&h);
}

/* The program is refused, and the reason names what the kernel refuses. */
static void refused(uint32_t pages, unsigned order, enum mml_backing backing,
		    const char *const *ops, const char *reason, const char *what)
{
	struct mml_program p;
	program(&p, pages, backing, ops);
	p.page_order = order;
	const char *why = mml_program_check(&p);
	if (!why || !strstr(why, reason))
		printf("# reason: %s\n", why ? why : "(accepted)");
	ok(why && strstr(why, reason), what);
}

static void test_refusals(void)
{
	refused(8, 0, MML_BACKING_MEMFD, (const char *[]){"free", NULL},
		"private anonymous", "free of shared memory is refused");
	refused(8, 0, MML_BACKING_ANON, (const char *[]){"remove", NULL},
		"shared writable", "remove of private memory is refused");
	refused(8, 0, MML_BACKING_MEMFD,
		(const char *[]){"mprotect:none", "remove", NULL}, "shared writable",
		"remove of a PROT_NONE range is refused");
	refused(8, 0, MML_BACKING_ANON, (const char *[]){"mlock", "dontneed", NULL},
		"mlock", "dontneed of mlock'ed pages is refused");
	refused(8, 0, MML_BACKING_ANON,
		(const char *[]){"mapfixed:anon:locked", "free:2-4", NULL}, "mlock",
		"free of MAP_LOCKED pages is refused");
	refused(8, 0, MML_BACKING_ANON, (const char *[]){"truncate:4-8", NULL},
		"file", "truncate of anonymous generation 0 is refused");
	refused(8, 0, MML_BACKING_MEMFD, (const char *[]){"truncate:2-4", NULL},
		"region's end", "truncate not to the region's end is refused");
	refused(8, 0, MML_BACKING_MEMFD,
		(const char *[]){"truncate:0-8", "truncate:4-8", NULL}, "grow it",
		"a truncate that would grow the file an earlier one cut is refused");
	refused(8, 0, MML_BACKING_MEMFD,
		(const char *[]){"truncate:4-8", "mlock", NULL}, "past the end",
		"mlock of pages a truncate cut off is refused (the kernel fails it)");
	refused(8, 0, MML_BACKING_MEMFD,
		(const char *[]){"mprotect:0-2:none", "mlock", NULL}, "PROT_NONE",
		"mlock over a PROT_NONE page is refused (the kernel fails it)");
	refused(8, 0, MML_BACKING_ANON, (const char *[]){"munmap:4-6", "mlock:2-8", NULL},
		"PROT_NONE", "mlock over what munmap left is refused");
	struct mml_program again;
	program(&again, 8, MML_BACKING_MEMFD,
		(const char *[]){"mprotect:0-2:none", "mprotect:0-2:read", "mlock", NULL});
	ok(!mml_program_check(&again), "mlock after the pages are readable again is not");
	refused(8, 0, MML_BACKING_MEMFD, (const char *[]){"shrink:3-4", NULL},
		"more than one folio", "shrink of one folio is refused");
	refused(8, 0, MML_BACKING_MEMFD,
		(const char *[]){"mprotect:2-4:none", "shrink", NULL}, "split",
		"shrink across a range an earlier op split is refused");
	refused(1024, 9, MML_BACKING_HUGETLB, (const char *[]){"grow:hugetlb", NULL},
		"hugetlb", "grow of hugetlb memory is refused");
	refused(1024, 9, MML_BACKING_HUGETLB, (const char *[]){"munmap:0-16", NULL},
		"whole huge pages", "a hugetlb op on part of a huge page is refused");
	refused(16, 0, MML_BACKING_HUGETLB, (const char *[]){"munmap", NULL},
		"page order 9", "hugetlb with page order 0 is refused");
	refused(24, 4, MML_BACKING_ANON, (const char *[]){"munmap", NULL},
		"multiple of the folio", "a region of part of a folio is refused");
}

/* Version 2 bytes: header, then op records. */
static size_t v2_input(uint8_t *buf, uint8_t backing, uint8_t kind,
		       uint8_t lo, uint8_t len_minus_1)
{
	memset(buf, 0, MML_ENCODING_MAX);
	buf[0] = MML_ENCODING_V2;
	buf[1] = 15; /* 16 pages (or folios) */
	buf[5] = backing;
	uint8_t *op = buf + MML_ENCODING_HEADER;
	op[0] = kind;
	op[1] = lo;
	op[4] = len_minus_1;
	return MML_ENCODING_HEADER + MML_ENCODING_OP + MML_ENCODING_READER;
}

static void test_decoder_repairs(void)
{
	static uint8_t buf[MML_ENCODING_MAX];
	struct mml_program p;
	size_t n = v2_input(buf, MML_BACKING_MEMFD, MML_OP_FREE, 2, 3);
	mml_decode(buf, n, &p, NULL);
	ok(p.ops[0].kind == MML_OP_PAGEOUT && p.ops[0].lo == 2 && p.ops[0].hi == 6 &&
		   mml_program_check(&p) == NULL,
	   "free of shared memory decodes as pageout of the same range");
	n = v2_input(buf, MML_BACKING_MEMFD, MML_OP_TRUNCATE, 4, 0);
	mml_decode(buf, n, &p, NULL);
	ok(p.ops[0].kind == MML_OP_TRUNCATE && p.ops[0].lo == 4 && p.ops[0].hi == 16,
	   "truncate decodes to run to the region's end");
	n = v2_input(buf, MML_BACKING_HUGETLB, MML_OP_MUNMAP, 1, 0);
	mml_decode(buf, n, &p, NULL);
	ok(p.page_order == 9 && p.pages == 16 * 512 && p.ops[0].lo == 512 &&
		   p.ops[0].hi == 1024 && mml_program_check(&p) == NULL,
	   "hugetlb decodes with page order 9 and ranges in whole huge pages");
	n = v2_input(buf, 7, MML_OP_MAPFIXED, 0, 0);
	buf[4] = 200;
	mml_decode(buf, n, &p, NULL);
	ok(p.page_order == 0 && p.backing == MML_BACKING_TMPFS,
	   "an order byte above 9 reads as base pages, a backing byte above 3 never as hugetlb");
	n = v2_input(buf, MML_BACKING_ANON, MML_OP_GROW, 0, 0);
	mml_decode(buf, n, &p, NULL);
	ok(p.ops[0].kind == MML_OP_MREMAP && mml_program_check(&p) == NULL,
	   "grow of one page, which cannot grow, decodes as mremap");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_values();
	test_free_alternative();
	test_refusals();
	test_decoder_repairs();
	return tap_done();
}
