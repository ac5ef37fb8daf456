/* splitmix64: small, fast, and every seed gives a full-period stream.  All
 * schedule choices come from it, so --seed reproduces them. */
#ifndef MMLITMUS_RNG_H
#define MMLITMUS_RNG_H

#include <stdint.h>

static inline uint64_t mml_rng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform in [0, bound]; the modulo bias is irrelevant for schedules. */
static inline uint64_t mml_rng_upto(uint64_t *state, uint64_t bound)
{
	return bound == UINT64_MAX ? mml_rng_next(state)
				   : mml_rng_next(state) % (bound + 1);
}

/* In [0, bound] at every scale alike: a bit length up to bound's first,
 * uniformly, then a value of at most that many bits.  Short pauses then
 * stay common whatever the bound, and long ones still come: of draws up
 * to 10,000, 60 % are under 128 and 7 % over 4,096 (a uniform draw: 1 %
 * and 59 %), and the mean is about 890. */
static inline uint64_t mml_rng_any_scale(uint64_t *state, uint64_t bound)
{
	unsigned bits = bound ? 64 - (unsigned)__builtin_clzll(bound) : 0;
	unsigned scale = (unsigned)mml_rng_upto(state, bits);
	uint64_t top = scale ? UINT64_MAX >> (64 - scale) : 0;
	return mml_rng_upto(state, top < bound ? top : bound);
}

#endif
