/* The tag word every backing page holds at offset 0 (doc/oracle.md, "Values").
 *
 *   bits 63..52  magic 0xA5C
 *   bits 51..32  run: the iteration, so a page recycled from an earlier
 *                iteration is told apart from the one written for this one
 *   bits 31..24  generation: the op index that installs the page (0 = initial)
 *   bits 23..0   page index in the region
 *
 * A load is reduced to a value id, one byte the oracle's tables index by:
 * a generation 0..MML_MAX_OPS, or ZERO, HOLE, or BAD for a word that is no
 * tag of this run and page (another run, another page, garbage). */
#ifndef MMLITMUS_TAG_H
#define MMLITMUS_TAG_H

#include <stdint.h>

enum {
	MML_V_ZERO = 253,
	MML_V_HOLE = 254,
	MML_V_BAD = 255,
	MML_RUN_BITS = 20,
};

#define MML_TAG_MAGIC UINT64_C(0xA5C)

static inline uint64_t mml_tag(uint32_t run, unsigned gen, uint32_t page)
{
	return MML_TAG_MAGIC << 52 |
	       (uint64_t)(run & ((1u << MML_RUN_BITS) - 1)) << 32 |
	       (uint64_t)(gen & 0xffu) << 24 | (page & 0xffffffu);
}

/* ngens is K + 1: generations above K were never written in this program. */
static inline uint8_t mml_tag_value(uint64_t word, uint32_t run, uint32_t page,
				    unsigned ngens)
{
	if (word == 0)
		return MML_V_ZERO;
	uint64_t gen = word >> 24 & 0xff;
	if (word != mml_tag(run, (unsigned)gen, page) || gen >= ngens)
		return MML_V_BAD;
	return (uint8_t)gen;
}

#endif
