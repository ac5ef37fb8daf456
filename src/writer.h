/* Writer mode (the program's `write`; the question is as much about writing to a
 * changing mapping as about reading from it): every reader also stores a word of its own
 * into each page right after reading the page's tag, and after the
 * iteration the harness looks for those words in every file backing.  A
 * word found in the file of a generation that the reader, when it stored,
 * knew had been replaced on that page is a lost write.
 *
 * Reader r's slot is the word at byte 64 + 8r of the page: off the tag's
 * cache line, so that one reader's stores do not turn the other readers'
 * tag loads into coherence misses.  64 readers end at byte 576.
 *
 * The store word describes itself and what the reader knew:
 *
 *   bits 63..55  magic 0x1B5
 *   bits 54..35  run: the iteration's tag run (tag.h)
 *   bits 34..11  page index in the region
 *   bits 10..4   M: the highest op the reader knew in effect (0..64)
 *   bits  3..2   where M came from (enum mml_source)
 *   bit   1      after-return: F had returned (the mapper's counter said
 *                so, or the reader knew a later op)
 *   bit   0      same-page: the reader had itself proved F on this page
 *
 * F is the last op up to M that changed where a store to the page lands
 * (history.h, landcover).  The two bits are what judging the store needs
 * if it turns out stale, and only the reader knows them when it stores.
 *
 * Private anonymous memory cannot be checked: what lands there goes away
 * with the mapping.  Such stores are counted, not judged. */
#ifndef MMLITMUS_WRITER_H
#define MMLITMUS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "oracle.h"

struct mml_write_word {
	uint32_t run;
	uint32_t page;
	uint8_t m;
	enum mml_source source;
	bool after_return;
	bool same_page;
};

static inline size_t mml_write_slot(unsigned reader)
{
	return 64 + 8 * (size_t)reader;
}

uint64_t mml_write_encode(const struct mml_write_word *w);
/* False when the word is no store word (its magic). */
bool mml_write_decode(uint64_t word, struct mml_write_word *w);

/* The word a reader stores into the page it has just read, the read
 * already observed by its oracle o.  *anon says whether the page is
 * private anonymous memory once M is in effect: a store there cannot be
 * checked. */
uint64_t mml_write_word_for(const struct mml_oracle *o,
			    const struct mml_obs *ob, bool *anon);

/* Judges the word found in reader's slot of page `page` of generation
 * gen's backing file; violations go to that reader's oracle o.  Returns
 * MML_OBSERVED_* flags. */
int mml_write_judge(struct mml_oracle *o, unsigned reader, unsigned gen,
		    uint32_t page, uint64_t word);

/* Judges every word in the slots of pages [lo, hi) of generation gen's
 * file; `first` is page lo of a view of it, and bit 0 of resident[i] says
 * whether page lo + i is in memory (a page truncated or punched out holds
 * nothing, and is not touched).  Slot r goes to oracles[r].  Returns the
 * words judged. */
uint64_t mml_write_scan(struct mml_oracle *const *oracles, unsigned readers,
			unsigned gen, const char *first, size_t page_size,
			uint32_t lo, uint32_t hi, const unsigned char *resident);

/* Empties the slots of pages [lo, hi) of a view whose page lo is first. */
void mml_write_clear(char *first, size_t page_size, uint32_t lo, uint32_t hi,
		     unsigned readers);

#endif
