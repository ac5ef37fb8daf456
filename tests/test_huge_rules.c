/* The pure parts of huge.c, without the kernel: reading a setting's word
 * in brackets, which settings let anonymous and shared memory have large
 * folios, the rule that tells one folio from pagemap PFNs and kpageflags
 * words, and what a report says of a run that got no huge folios.
 * Output is TAP. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "huge.h"
#include "program.h"
#include "report.h"
#include "run.h"
#include "tap.h"

#define HEAD (UINT64_C(1) << 15)
#define TAIL (UINT64_C(1) << 16)
#define THP (UINT64_C(1) << 22) /* set on THP pages too; the rule ignores it */

enum { BLOCK = 16 };


static bool setting_is(const char *text, const char *want)
{
	char word[16];
	return mml_huge_setting(text, word, sizeof word) == 0 && strcmp(word, want) == 0;
}

static void settings(void)
{
	char word[16], tiny[4];
	ok(setting_is("always [madvise] never\n", "madvise"), "the word in brackets");
	ok(setting_is("[always] inherit madvise never\n", "always"), "first word");
	ok(setting_is("always within_size advise [never] deny force\n", "never"),
	   "shmem_enabled's last but two");
	ok(mml_huge_setting("0\n", word, sizeof word) < 0, "no brackets: no setting");
	ok(mml_huge_setting("always [] never", word, sizeof word) < 0, "empty brackets");
	ok(mml_huge_setting("always [madvise never", word, sizeof word) < 0,
	   "an open bracket alone");
	ok(mml_huge_setting("[madvise] never", tiny, sizeof tiny) < 0,
	   "a word longer than the buffer is refused, not cut");
}

static void anon_rules(void)
{
	ok(mml_huge_anon_allows(NULL, "madvise"), "no per-size file: the top level, madvise");
	ok(!mml_huge_anon_allows(NULL, "never"), "no per-size file: the top level, never");
	ok(mml_huge_anon_allows("inherit", "always"), "inherit takes always");
	ok(!mml_huge_anon_allows("inherit", "never"), "inherit takes never");
	ok(mml_huge_anon_allows("madvise", "never"), "the size's own madvise wins over never");
	ok(!mml_huge_anon_allows("never", "always"), "the size's own never wins over always");
}

static void shmem_rules(void)
{
	ok(mml_huge_shmem_allows(NULL, "advise"), "no per-size file: advise");
	ok(mml_huge_shmem_allows(NULL, "within_size"), "no per-size file: within_size");
	ok(!mml_huge_shmem_allows(NULL, "never"), "no per-size file: never");
	ok(mml_huge_shmem_allows("advise", "never"), "the size's advise wins over never");
	ok(mml_huge_shmem_allows("inherit", "always"), "inherit takes always");
	ok(!mml_huge_shmem_allows("inherit", "never"), "inherit takes never");
	ok(!mml_huge_shmem_allows("never", "always"), "the size's never wins over always");
	ok(!mml_huge_shmem_allows("advise", "deny"), "deny turns every size off");
	ok(mml_huge_shmem_allows("inherit", "force"), "force: the sizes that inherit it");
	ok(!mml_huge_shmem_allows("advise", "force"), "force: not the sizes set apart");
}

/* A block of BLOCK pages at PFN 1000: one folio, head first. */
static void one_folio(uint64_t *pfn, uint64_t *flags)
{
	for (uint32_t i = 0; i < BLOCK; i++) {
		pfn[i] = 1000 + i;
		flags[i] = (i == 0 ? HEAD : TAIL) | THP;
	}
}

static void block_rule(void)
{
	uint64_t pfn[BLOCK], flags[BLOCK];
	one_folio(pfn, flags);
	ok(mml_huge_block_is_folio(pfn, flags, BLOCK), "one folio: head, then tails");
	flags[0] = TAIL;
	ok(mml_huge_block_is_folio(pfn, flags, BLOCK),
	   "inside a larger folio: tails only, which still counts");
	one_folio(pfn, flags);
	flags[8] = HEAD;
	ok(!mml_huge_block_is_folio(pfn, flags, BLOCK), "two folios: a head in the middle");
	one_folio(pfn, flags);
	pfn[5] = 2000;
	ok(!mml_huge_block_is_folio(pfn, flags, BLOCK), "a gap in the PFNs");
	one_folio(pfn, flags);
	flags[3] = 0;
	ok(!mml_huge_block_is_folio(pfn, flags, BLOCK), "a page that is no compound page");
	one_folio(pfn, flags);
	pfn[15] = 0;
	ok(!mml_huge_block_is_folio(pfn, flags, BLOCK), "a page not present");
	for (uint32_t i = 0; i < BLOCK; i++) {
		flags[i] = 0;
		pfn[i] = 1000 + i;
	}
	ok(!mml_huge_block_is_folio(pfn, flags, BLOCK),
	   "base pages that happen to be consecutive");
}

/* A run of the classic program at page order 9 that raced well and saw
 * no violation, its huge-page check as given. */
static enum mml_outcome outcome(enum mml_huge_method method, uint64_t mapped,
				char *text, size_t len)
{
	struct mml_program p;
	mml_program_classic(&p);
	p.pages = 1024;
	p.page_order = MML_MAX_PAGE_ORDER;
	p.ops[0].hi = 1024;
	struct mml_config c = {.min_racing = 1000};
	static struct mml_result r;
	memset(&r, 0, sizeof r);
	r.iterations = r.histogram[0] = 100;
	r.racing_reads = r.ops[1].racing_reads = 100000;
	r.huge = (struct mml_huge_count){method, 8, mapped};
	r.huge_checks = 4;
	struct mml_report rep = {"mapfixed", &p, &c, &r};
	FILE *out = fmemopen(text, len, "w");
	mml_report_text(out, &rep);
	fclose(out);
	return mml_report_outcome(&rep);
}

static void reports(void)
{
	char text[8192];
	ok(outcome(MML_HUGE_PAGEMAP, 8, text, sizeof text) == MML_OUTCOME_NEVER &&
		   strstr(text, "8 of 8 blocks in 4 checked iterations"),
	   "huge folios verified: Never, and the count in the report");
	ok(outcome(MML_HUGE_PAGEMAP, 0, text, sizeof text) == MML_OUTCOME_INCONCLUSIVE &&
		   strstr(text, "not evidence about huge pages") &&
		   strstr(text, "Verdict inconclusive: no huge folios"),
	   "no huge folio: Inconclusive, and the report says it is not evidence");
	ok(outcome(MML_HUGE_SMAPS, 0, text, sizeof text) == MML_OUTCOME_INCONCLUSIVE,
	   "the same when smaps told");
	ok(outcome(MML_HUGE_UNVERIFIED, 0, text, sizeof text) == MML_OUTCOME_NEVER &&
		   strstr(text, "not verified"),
	   "unverified: the answer stands, and the report says it was not verified");
}

int main(void)
{
	settings();
	anon_rules();
	shmem_rules();
	block_rule();
	reports();
	return tap_done();
}
