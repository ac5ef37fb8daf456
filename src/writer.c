#include "writer.h"

#include <string.h>

#include "tag.h"

#define WRITE_MAGIC UINT64_C(0x1B5)

enum {
	MAGIC_SHIFT = 55,
	RUN_SHIFT = 35,
	PAGE_SHIFT = 11,
	M_SHIFT = 4,
	SOURCE_SHIFT = 2,
	AFTER_RETURN_BIT = 2,
	SAME_PAGE_BIT = 1,
};

uint64_t mml_write_encode(const struct mml_write_word *w)
{
	return WRITE_MAGIC << MAGIC_SHIFT |
	       (uint64_t)(w->run & ((1u << MML_RUN_BITS) - 1)) << RUN_SHIFT |
	       (uint64_t)(w->page & 0xffffffu) << PAGE_SHIFT |
	       (uint64_t)(w->m & 0x7fu) << M_SHIFT |
	       (uint64_t)(w->source & 3u) << SOURCE_SHIFT |
	       (w->after_return ? AFTER_RETURN_BIT : 0) |
	       (w->same_page ? SAME_PAGE_BIT : 0);
}

bool mml_write_decode(uint64_t word, struct mml_write_word *w)
{
	if (word >> MAGIC_SHIFT != WRITE_MAGIC)
		return false;
	w->run = (uint32_t)(word >> RUN_SHIFT) & ((1u << MML_RUN_BITS) - 1);
	w->page = (uint32_t)(word >> PAGE_SHIFT) & 0xffffffu;
	w->m = (uint8_t)(word >> M_SHIFT & 0x7fu);
	w->source = (enum mml_source)(word >> SOURCE_SHIFT & 3u);
	w->after_return = word & AFTER_RETURN_BIT;
	w->same_page = word & SAME_PAGE_BIT;
	return true;
}

/* M is the oracle's, raised by the mapper's state loaded after the read:
 * that load comes before the store, so an op it says returned had
 * returned when the store was made. */
uint64_t mml_write_word_for(const struct mml_oracle *o,
			    const struct mml_obs *ob, bool *anon)
{
	const struct mml_history *h = o->h;
	unsigned completed = mml_state_completed(ob->after);
	struct mml_write_word w = {.run = o->run, .page = ob->page,
				   .m = o->k.m, .source = o->k.source};
	if (completed > w.m) {
		w.m = (uint8_t)completed;
		w.source = MML_SRC_COMPLETED;
	}
	size_t at = (size_t)ob->page * h->ngens + w.m;
	unsigned f = h->landcover[at];
	/* Ops run one after another: a later op known in effect means F
	 * had returned. */
	w.after_return = f <= completed || f < w.m;
	w.same_page = f > 0 && o->seen[ob->page] >= f;
	*anon = h->landing[at] == MML_LAND_ANON;
	return mml_write_encode(&w);
}

/* The last op j whose store to the page lands in generation gen's file;
 * -1 when none does. */
static int last_landing(const struct mml_history *h, uint32_t page,
			unsigned gen)
{
	const uint8_t *row = mml_history_row(h->landing, h, page);
	for (int j = (int)h->ngens - 1; j >= 0; j--)
		if (row[j] == gen)
			return j;
	return -1;
}

static int record(struct mml_oracle *o, enum mml_class cls, bool finding,
		  unsigned f, const struct mml_write_word *w, unsigned reader,
		  unsigned gen, uint32_t page, uint64_t word)
{
	struct mml_violation v = {.cls = cls, .finding = finding,
				  .op = (uint8_t)f, .run = o->run};
	v.known.m = w ? w->m : 0;
	v.known.source = w ? w->source : MML_SRC_INITIAL;
	v.obs.raw = word;
	v.obs.page = page;
	v.obs.reader = (uint8_t)reader;
	v.obs.value = (uint8_t)gen;
	return mml_oracle_record(o, &v);
}

/* The rule is the stale read's (doc/oracle.md, "The streaming rules") with the backing a
 * store landed in for the value: candidates are the ops after which a
 * store to the page lands in gen's file, F the last op up to M that
 * changed where it lands.  Candidates are not limited to ops that had
 * started (there is no room in the word for the mapper's state after the
 * store): a later op that maps gen back can only hide a lost write, never
 * make one up. */
int mml_write_judge(struct mml_oracle *o, unsigned reader, unsigned gen,
		    uint32_t page, uint64_t word)
{
	const struct mml_history *h = o->h;
	struct mml_write_word w;
	if (!mml_write_decode(word, &w) || w.run != o->run || w.page != page ||
	    w.m >= h->ngens)
		return record(o, MML_MISDIRECTED_WRITE, true, 0, NULL, reader,
			      gen, page, word);
	int last = last_landing(h, page, gen);
	if (last < 0)
		return record(o, MML_MISDIRECTED_WRITE, true, 0, &w, reader,
			      gen, page, word);
	unsigned f = mml_history_row(h->landcover, h, page)[w.m];
	if ((unsigned)last >= f)
		return 0;
	bool finding = w.same_page || w.after_return || o->atomic[f];
	return record(o, MML_LOST_WRITE, finding, f, &w, reader, gen, page,
		      word);
}

uint64_t mml_write_scan(struct mml_oracle *const *oracles, unsigned readers,
			unsigned gen, const char *first, size_t page_size,
			uint32_t lo, uint32_t hi, const unsigned char *resident)
{
	uint64_t judged = 0;
	for (uint32_t page = lo; page < hi; page++) {
		if (!(resident[page - lo] & 1))
			continue;
		const char *at = first + (size_t)(page - lo) * page_size;
		for (unsigned r = 0; r < readers; r++) {
			uint64_t word;
			memcpy(&word, at + mml_write_slot(r), sizeof word);
			if (word == 0)
				continue;
			mml_write_judge(oracles[r], r, gen, page, word);
			judged++;
		}
	}
	return judged;
}

void mml_write_clear(char *first, size_t page_size, uint32_t lo, uint32_t hi,
		     unsigned readers)
{
	for (uint32_t page = lo; page < hi; page++)
		memset(first + (size_t)(page - lo) * page_size + mml_write_slot(0),
		       0, mml_write_slot(readers) - mml_write_slot(0));
}
