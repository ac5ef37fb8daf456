/* The write check of writer mode (writer.h) on synthetic data, without
 * threads: the store word, what a reader puts in it, every shape of lost
 * write the judge must flag, the legal shapes it must not (a false
 * positive is the worst bug this program can have), misdirected words,
 * the scan over a file's pages, and the landing table it relies on.
 *
 * A test builds a small program, its tables (with the landing table, as
 * writer mode does) and one reader's oracle, then judges words as if the
 * scan had found them in a generation's file.  Output is TAP. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "ops.h"
#include "oracle.h"
#include "program.h"
#include "tag.h"
#include "writer.h"

#include "oracle_fixture.h"

enum { PAGE_SIZE = 4096 };

/* ---- building programs ---- */

/* Two readers' oracles (the second for news from a peer), and the
 * landing table that writer mode builds. */
static void writer_program(struct fixture *f, uint32_t pages,
			   enum mml_backing backing)
{
	fx_program(f, pages, backing);
	f->p.nreaders = 2;
	f->p.write = true;
}

/* 4 pages of a memfd, and one op of that kind over all of them. */
static bool fx_one_op(struct fixture *f, enum mml_op_kind kind)
{
	writer_program(f, 4, MML_BACKING_MEMFD);
	fx_op(f, kind, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	return fx_start(f);
}

/* ---- words and reads ---- */

static uint64_t word(uint32_t page, unsigned m, enum mml_source source,
		     bool after_return, bool same_page)
{
	struct mml_write_word w = {.run = FX_RUN, .page = page, .m = (uint8_t)m,
				   .source = source,
				   .after_return = after_return,
				   .same_page = same_page};
	return mml_write_encode(&w);
}

/* Reader 0 judges a word found in generation gen's file at page. */
static int judge(struct fixture *f, unsigned gen, uint32_t page, uint64_t w)
{
	return mml_write_judge(&f->o[0], 0, gen, page, w);
}

/* Reader 0 reads value on page with the mapper's state before and after. */
static void see(struct fixture *f, uint32_t page, uint8_t value,
		uint8_t before, uint8_t after, struct mml_obs *ob)
{
	memset(ob, 0, sizeof *ob);
	ob->page = page;
	ob->value = value;
	ob->raw = value <= MML_MAX_OPS ? mml_tag(FX_RUN, value, page) : 0;
	ob->before = before;
	ob->after = after;
	mml_oracle_observe(&f->o[0], ob);
}

/* ---- checks ---- */

static bool check_clean(const struct fixture *f, unsigned r)
{
	bool good = check_only(f, r, MML_LOST_WRITE, true, 0);
	good &= check_int(f->o[r].nkept, 0, "nothing kept");
	return good;
}

enum { FINDING = MML_OBSERVED_VIOLATION | MML_OBSERVED_FINDING };

/* ---- the word ---- */

static bool t_word_round_trip(void)
{
	bool good = true;
	for (int s = MML_SRC_INITIAL; s <= MML_SRC_PEER; s++) {
		struct mml_write_word in = {.run = (1u << MML_RUN_BITS) - 1,
					    .page = MML_MAX_PAGES - 1,
					    .m = MML_MAX_OPS,
					    .source = (enum mml_source)s,
					    .after_return = s & 1,
					    .same_page = !(s & 1)}, out;
		good &= check(mml_write_decode(mml_write_encode(&in), &out),
			      "the magic is recognised");
		good &= check(in.run == out.run && in.page == out.page &&
			      in.m == out.m && in.source == out.source &&
			      in.after_return == out.after_return &&
			      in.same_page == out.same_page,
			      "every field comes back");
	}
	struct mml_write_word out;
	good &= check(!mml_write_decode(0, &out), "zero is no store word");
	good &= check(!mml_write_decode(mml_tag(FX_RUN, 1, 3), &out),
		      "a tag is no store word");
	return good;
}

/* Reader 0 saw gen1 on page 2 while op 1 ran: the store's M is 1 from its
 * own read, and it had seen page 2 new itself. */
static bool t_word_for_own(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	uint8_t r1 = mml_state_running(1);
	struct mml_obs ob;
	see(&f, 2, 1, r1, r1, &ob);
	bool anon = true;
	struct mml_write_word w;
	bool good = check(mml_write_decode(mml_write_word_for(&f.o[0], &ob, &anon), &w),
			  "a store word");
	good &= check_int(w.run, FX_RUN, "run");
	good &= check_int(w.page, 2, "page");
	good &= check_int(w.m, 1, "M");
	good &= check_int(w.source, MML_SRC_OWN, "M from its own read");
	good &= check(w.same_page, "it had seen page 2 new");
	good &= check(!w.after_return, "op 1 had not returned");
	good &= check(!anon, "a memfd page is checked");
	fx_end(&f);
	return good;
}

/* The state loaded after the read says op 1 returned: that load precedes
 * the store, so M is 1 from completed and F had returned. */
static bool t_word_for_completed_after_read(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	struct mml_obs ob;
	see(&f, 0, 0, mml_state_running(1), mml_state_done(1), &ob);
	bool anon;
	struct mml_write_word w;
	mml_write_decode(mml_write_word_for(&f.o[0], &ob, &anon), &w);
	bool good = check_int(f.o[0].k.m, 0, "the oracle's M is still 0");
	good &= check_int(w.m, 1, "the store's M is 1");
	good &= check_int(w.source, MML_SRC_COMPLETED, "from completed");
	good &= check(w.after_return, "after return");
	good &= check(!w.same_page, "page 0 was only seen old");
	fx_end(&f);
	return good;
}

/* M from another reader: the word says so, and neither bit is set. */
static bool t_word_for_peer(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	uint8_t r1 = mml_state_running(1);
	struct mml_knowledge peer = {.m = 1, .source = MML_SRC_OWN};
	mml_oracle_learn(&f.o[0], &peer);
	struct mml_obs ob;
	see(&f, 3, 0, r1, r1, &ob);
	bool anon;
	struct mml_write_word w;
	mml_write_decode(mml_write_word_for(&f.o[0], &ob, &anon), &w);
	bool good = check_int(w.m, 1, "M");
	good &= check_int(w.source, MML_SRC_PEER, "from the peer");
	good &= check(!w.same_page && !w.after_return, "no bit");
	fx_end(&f);
	return good;
}

/* Anonymous memory mapped over the region: a store there is unchecked. */
static bool t_word_for_anon(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MAPFIXED, 0, 4, MML_BACKING_ANON, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	uint8_t d1 = mml_state_done(1);
	struct mml_obs ob;
	see(&f, 1, MML_V_ZERO, d1, d1, &ob);
	bool anon = false;
	mml_write_word_for(&f.o[0], &ob, &anon);
	bool good = check(anon, "anonymous once op 1 is in effect");
	fx_end(&f);
	return good;
}

/* ---- lost writes ---- */

/* The control (not atomic): reader 0 had seen page 1 new itself, and its
 * store landed in generation 0's file: a finding whatever the op. */
static bool t_lost_same_page(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_PIECEWISE))
		return false;
	bool good = check_flags(judge(&f, 0, 1, word(1, 1, MML_SRC_OWN, false, true)),
				FINDING, "same-page store in gen0");
	good &= check_only(&f, 0, MML_LOST_WRITE, true, 1);
	const struct mml_violation *v = &f.kept[0][0];
	good &= check_int(v->op, 1, "F = 1");
	good &= check_int(v->known.m, 1, "M = 1");
	good &= check_int(v->obs.page, 1, "page 1");
	good &= check_int(v->obs.value, 0, "landed in generation 0");
	good &= check_int(v->run, FX_RUN, "run");
	fx_end(&f);
	return good;
}

/* The control: op 1 had returned when the store was made. */
static bool t_lost_after_return(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_PIECEWISE))
		return false;
	bool good = check_flags(judge(&f, 0, 2, word(2, 1, MML_SRC_COMPLETED, true, false)),
				FINDING, "store after return in gen0");
	good &= check_only(&f, 0, MML_LOST_WRITE, true, 1);
	fx_end(&f);
	return good;
}

/* The control: the reader had seen another page new, op 1 still running:
 * expected, piecewise is not atomic. */
static bool t_lost_cross_page_expected(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_PIECEWISE))
		return false;
	bool good = check_flags(judge(&f, 0, 2, word(2, 1, MML_SRC_OWN, false, false)),
				MML_OBSERVED_VIOLATION, "cross-page store in gen0");
	good &= check_only(&f, 0, MML_LOST_WRITE, false, 1);
	fx_end(&f);
	return good;
}

/* The same under mapfixed, atomic: a finding. */
static bool t_lost_cross_page_atomic(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	bool good = check_flags(judge(&f, 0, 2, word(2, 1, MML_SRC_OWN, false, false)),
				FINDING, "cross-page store in gen0");
	good &= check_only(&f, 0, MML_LOST_WRITE, true, 1);
	fx_end(&f);
	return good;
}

/* mapfixed, M from a peer: still a finding for an atomic op. */
static bool t_lost_peer_atomic(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	bool good = check_flags(judge(&f, 0, 3, word(3, 1, MML_SRC_PEER, false, false)),
				FINDING, "store in gen0 after peer news");
	good &= check_only(&f, 0, MML_LOST_WRITE, true, 1);
	good &= check_int(f.kept[0][0].known.source, MML_SRC_PEER, "M from the peer");
	fx_end(&f);
	return good;
}

/* munmap: the store should have faulted; one that landed in generation
 * 0's file on a page the reader did not see go is expected (munmap is not
 * atomic), and after munmap returned it is a finding. */
static bool t_lost_store_that_should_fault(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MUNMAP))
		return false;
	bool good = check_int(mml_history_row(f.h.landing, &f.h, 2)[1],
			      MML_LAND_FAULT, "a store after munmap faults");
	good &= check_flags(judge(&f, 0, 2, word(2, 1, MML_SRC_OWN, false, false)),
			    MML_OBSERVED_VIOLATION, "cross-page, munmap running");
	good &= check_flags(judge(&f, 0, 3, word(3, 1, MML_SRC_COMPLETED, true, false)),
			    FINDING, "after munmap returned");
	good &= check_int(f.o[0].count[MML_LOST_WRITE][0], 1, "one expected");
	good &= check_int(f.o[0].count[MML_LOST_WRITE][1], 1, "one finding");
	fx_end(&f);
	return good;
}

/* ---- legal stores ---- */

/* Stores into generation 1's file, with or without knowing op 1. */
static bool t_legal_current_backing(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	bool good = check_flags(judge(&f, 1, 0, word(0, 1, MML_SRC_OWN, false, true)), 0,
				"M 1, in gen1");
	good &= check_flags(judge(&f, 1, 1, word(1, 0, MML_SRC_INITIAL, false, false)), 0,
			    "M 0, in gen1");
	good &= check_flags(judge(&f, 1, 2, word(2, 1, MML_SRC_COMPLETED, true, false)), 0,
			    "after return, in gen1");
	good &= check_clean(&f, 0);
	fx_end(&f);
	return good;
}

/* Stores into generation 0's file before the reader knew of op 1. */
static bool t_legal_old_backing_before_news(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	bool good = check_flags(judge(&f, 0, 0, word(0, 0, MML_SRC_INITIAL, false, false)), 0,
				"M 0, in gen0");
	good &= check_clean(&f, 0);
	fx_end(&f);
	return good;
}

/* mprotect none, then read: op 2 maps generation 0 back, and a store
 * into it after op 2 is legal. */
static bool t_legal_restored_by_mprotect(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	bool good = check_flags(judge(&f, 0, 1, word(1, 2, MML_SRC_OWN, false, true)), 0,
				"M 2, in gen0");
	good &= check_flags(judge(&f, 0, 2, word(2, 2, MML_SRC_COMPLETED, true, false)), 0,
			    "after op 2 returned, in gen0");
	good &= check_clean(&f, 0);
	fx_end(&f);
	return good;
}

/* A punched page reads zeros, yet a store still lands in generation 0's
 * file: punch changes what the file holds, not which file is mapped.
 * Judging by the value table would make this a lost write. */
static bool t_legal_punch_keeps_the_file(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_PUNCH))
		return false;
	bool good = check_int(mml_history_row(f.h.value, &f.h, 1)[1], MML_V_ZERO,
			      "the page reads zeros after punch");
	good &= check_int(mml_history_row(f.h.landing, &f.h, 1)[1], 0,
			  "a store still lands in generation 0's file");
	good &= check_flags(judge(&f, 0, 1, word(1, 1, MML_SRC_COMPLETED, true, true)), 0,
			    "after punch returned, in gen0");
	good &= check_clean(&f, 0);
	fx_end(&f);
	return good;
}

/* mapfixed of generation 1, then MADV_REMOVE: stores land in generation
 * 1's file still, and one in generation 0's is lost. */
static bool t_legal_remove_keeps_the_file(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MAPFIXED, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	fx_op(&f, MML_OP_REMOVE, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	bool good = check_flags(judge(&f, 1, 0, word(0, 2, MML_SRC_COMPLETED, true, false)), 0,
				"after remove, in gen1");
	good &= check_clean(&f, 0);
	good &= check_flags(judge(&f, 0, 0, word(0, 2, MML_SRC_COMPLETED, true, false)),
			    FINDING, "after remove, in gen0");
	good &= check_int(f.kept[0][0].op, 1, "F is the mapfixed, not the remove");
	fx_end(&f);
	return good;
}

/* op 1 maps pages 0-1 only: generation 0 stays under pages 2-3. */
static bool t_legal_outside_range(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	bool good = check_flags(judge(&f, 0, 3, word(3, 1, MML_SRC_COMPLETED, true, false)), 0,
				"page 3 after op 1, in gen0");
	good &= check_clean(&f, 0);
	fx_end(&f);
	return good;
}

/* ---- misdirected ---- */

static bool t_misdirected_page(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	bool good = check_flags(judge(&f, 1, 2, word(3, 1, MML_SRC_OWN, false, true)),
				FINDING, "page 3's store found in page 2");
	good &= check_only(&f, 0, MML_MISDIRECTED_WRITE, true, 1);
	fx_end(&f);
	return good;
}

static bool t_misdirected_garbage(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	struct mml_write_word other = {.run = FX_RUN - 1, .page = 2, .m = 1};
	struct mml_write_word beyond = {.run = FX_RUN, .page = 2, .m = 2};
	bool good = check_flags(judge(&f, 1, 2, 0x5a5a5a5a5a5a5a5aull), FINDING,
				"garbage");
	good &= check_flags(judge(&f, 1, 2, mml_tag(FX_RUN, 1, 2)), FINDING, "a tag");
	good &= check_flags(judge(&f, 1, 2, mml_write_encode(&other)), FINDING,
			    "another run's store");
	good &= check_flags(judge(&f, 1, 2, mml_write_encode(&beyond)), FINDING,
			    "an M beyond the last op");
	good &= check_only(&f, 0, MML_MISDIRECTED_WRITE, true, 4);
	fx_end(&f);
	return good;
}

/* Generation 1 maps pages 0-1: its file's page 3 is never under the
 * region, so a store found there is misdirected. */
static bool t_misdirected_unmapped_file_page(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	bool good = check_flags(judge(&f, 1, 3, word(3, 1, MML_SRC_OWN, false, false)),
				FINDING, "in gen1's page 3");
	good &= check_only(&f, 0, MML_MISDIRECTED_WRITE, true, 1);
	fx_end(&f);
	return good;
}

/* ---- the scan ---- */

static void put(char *pages, uint32_t page, unsigned reader, uint64_t w)
{
	memcpy(pages + (size_t)page * PAGE_SIZE + mml_write_slot(reader), &w,
	       sizeof w);
}

/* Generation 0's file, 4 pages, two readers.  Page 0: reader 0's legal
 * store, reader 1's lost one; page 1: nothing; page 2: garbage, but the
 * page is not in memory; page 3: reader 1's legal store.  The tags in
 * word 0 are not store slots. */
static bool t_scan(void)
{
	struct fixture f;
	if (!fx_one_op(&f, MML_OP_MAPFIXED))
		return false;
	char *pages = calloc(4, PAGE_SIZE);
	if (!pages)
		return false;
	for (uint32_t p = 0; p < 4; p++)
		memcpy(pages + (size_t)p * PAGE_SIZE, &(uint64_t){mml_tag(FX_RUN, 0, p)}, 8);
	put(pages, 0, 0, word(0, 0, MML_SRC_INITIAL, false, false));
	put(pages, 0, 1, word(0, 1, MML_SRC_OWN, false, false));
	put(pages, 2, 0, 0x5a5a5a5a5a5a5a5aull);
	put(pages, 3, 1, word(3, 0, MML_SRC_INITIAL, false, false));
	unsigned char resident[4] = {1, 1, 0, 1};
	struct mml_oracle *oracles[2] = {&f.o[0], &f.o[1]};
	uint64_t judged = mml_write_scan(oracles, 2, 0, pages, PAGE_SIZE, 0, 4,
					 resident);
	bool good = check_int(judged, 3, "three words judged");
	good &= check_clean(&f, 0);
	good &= check_only(&f, 1, MML_LOST_WRITE, true, 1);
	good &= check_int(f.kept[1][0].obs.reader, 1, "reader 1's store");
	good &= check_int(f.kept[1][0].obs.page, 0, "on page 0");
	free(pages);
	fx_end(&f);
	return good;
}

/* A scan of pages 2-3 only: `first` is page 2, and the pages before it
 * are not read. */
static bool t_scan_range(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_MAPFIXED, 2, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	char *pages = calloc(2, PAGE_SIZE);
	if (!pages)
		return false;
	put(pages, 1, 0, word(2, 1, MML_SRC_OWN, false, false)); /* page 3's slot */
	unsigned char resident[2] = {1, 1};
	struct mml_oracle *oracles[2] = {&f.o[0], &f.o[1]};
	uint64_t judged = mml_write_scan(oracles, 2, 1, pages, PAGE_SIZE, 2, 4,
					 resident);
	bool good = check_int(judged, 1, "one word judged");
	good &= check_only(&f, 0, MML_MISDIRECTED_WRITE, true, 1);
	good &= check_int(f.kept[0][0].obs.page, 3, "found on page 3");
	free(pages);
	fx_end(&f);
	return good;
}

/* Clearing empties the readers' slots and nothing else. */
static bool t_clear(void)
{
	unsigned char *pages = malloc(2 * PAGE_SIZE);
	if (!pages)
		return false;
	memset(pages, 0xee, 2 * PAGE_SIZE);
	mml_write_clear((char *)pages, PAGE_SIZE, 5, 7, 3);
	bool good = true;
	for (size_t p = 0; p < 2; p++) {
		const unsigned char *at = pages + p * PAGE_SIZE;
		for (size_t b = 0; b < PAGE_SIZE; b++) {
			bool slot = b >= mml_write_slot(0) && b < mml_write_slot(3);
			if ((at[b] == 0) != slot) {
				printf("# failed: page %zu byte %zu is 0x%02x\n", p, b, at[b]);
				good = false;
				break;
			}
		}
	}
	free(pages);
	return good;
}

/* ---- the landing table ---- */

/* Anonymous generation 0; op 1 maps a memfd over pages 0-1, op 2 unmaps
 * everything, op 3 makes it readable again (anonymous zeros). */
static bool t_landing_table(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_ANON);
	fx_op(&f, MML_OP_MAPFIXED, 0, 2, MML_BACKING_MEMFD, MML_PROT_READ);
	fx_op(&f, MML_OP_MUNMAP, 0, 4, MML_BACKING_MEMFD, MML_PROT_NONE);
	fx_op(&f, MML_OP_MPROTECT, 0, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	static const uint8_t want0[4] = {MML_LAND_ANON, 1, MML_LAND_FAULT, MML_LAND_ANON};
	static const uint8_t cover0[4] = {0, 1, 2, 3};
	static const uint8_t want3[4] = {MML_LAND_ANON, MML_LAND_ANON, MML_LAND_FAULT,
					 MML_LAND_ANON};
	static const uint8_t cover3[4] = {0, 0, 2, 3};
	bool good = true;
	for (unsigned j = 0; j < 4; j++) {
		good &= check_int(mml_history_row(f.h.landing, &f.h, 0)[j], want0[j], "page 0 landing");
		good &= check_int(mml_history_row(f.h.landcover, &f.h, 0)[j], cover0[j], "page 0 cover");
		good &= check_int(mml_history_row(f.h.landing, &f.h, 3)[j], want3[j], "page 3 landing");
		good &= check_int(mml_history_row(f.h.landcover, &f.h, 3)[j], cover3[j], "page 3 cover");
	}
	fx_end(&f);
	f.p.write = false;
	good &= check(mml_history_build(&f.h, &f.p) == 0 && !f.h.landing && !f.h.landcover,
		      "no landing table unless the program writes");
	mml_history_free(&f.h);
	return good;
}

/* truncate of generation 0's file to page 2: stores beyond fault. */
static bool t_landing_truncate(void)
{
	struct fixture f;
	writer_program(&f, 4, MML_BACKING_MEMFD);
	fx_op(&f, MML_OP_TRUNCATE, 2, 4, MML_BACKING_MEMFD, MML_PROT_READ);
	if (!fx_start(&f))
		return false;
	bool good = check_int(mml_history_row(f.h.landing, &f.h, 1)[1], 0, "page 1 keeps its file");
	good &= check_int(mml_history_row(f.h.landing, &f.h, 2)[1], MML_LAND_FAULT,
			  "page 2 is past the end");
	good &= check_flags(judge(&f, 0, 1, word(1, 1, MML_SRC_COMPLETED, true, false)), 0,
			    "page 1 after truncate, in gen0");
	fx_end(&f);
	return good;
}

static const struct scenario scenarios[] = {
	{"word: every field round-trips; zero and tags are no store word", t_word_round_trip},
	{"word: a reader that saw the page new stores M from its own read, same-page",
	 t_word_for_own},
	{"word: the state loaded after the read raises M, after-return", t_word_for_completed_after_read},
	{"word: M from a peer says so", t_word_for_peer},
	{"word: a store into anonymous memory is unchecked", t_word_for_anon},
	{"lost write: same-page under the control is a finding", t_lost_same_page},
	{"lost write: after return under the control is a finding", t_lost_after_return},
	{"lost write: cross-page under the control is expected", t_lost_cross_page_expected},
	{"lost write: cross-page under mapfixed (atomic) is a finding", t_lost_cross_page_atomic},
	{"lost write: M from a peer under mapfixed is a finding", t_lost_peer_atomic},
	{"lost write: a store that should have faulted (munmap)", t_lost_store_that_should_fault},
	{"legal: a store in the current backing", t_legal_current_backing},
	{"legal: a store in the old backing before the reader knew", t_legal_old_backing_before_news},
	{"legal: a store in a generation mprotect made readable again",
	 t_legal_restored_by_mprotect},
	{"legal: a store into a punched page lands in the same file", t_legal_punch_keeps_the_file},
	{"legal: a store after MADV_REMOVE lands in the same file", t_legal_remove_keeps_the_file},
	{"legal: a page outside the op's range keeps generation 0", t_legal_outside_range},
	{"misdirected: another page's store", t_misdirected_page},
	{"misdirected: garbage, a tag, another run, an M beyond K", t_misdirected_garbage},
	{"misdirected: a store in a file page never under the region",
	 t_misdirected_unmapped_file_page},
	{"scan: slots judged per reader, empty slots and pages not in memory skipped", t_scan},
	{"scan: a range that starts inside the file", t_scan_range},
	{"clear: the readers' slots and nothing else", t_clear},
	{"landing: files, anonymous memory, faults and the ops that changed them",
	 t_landing_table},
	{"landing: truncate faults past the new end only", t_landing_truncate},
};

int main(void)
{
	return run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0]);
}
