/* The schedule's draws: a delay amount is drawn at every scale alike, so
 * that short pauses (the op starts while the reader touches its first
 * pages) stay common beside long ones (it starts after a whole sweep). */
#include <stdint.h>
#include <stdio.h>

#include "rng.h"
#include "tap.h"

enum { DRAWS = 15000 };

static void within_bound(uint64_t bound)
{
	uint64_t rng = bound ^ 0x5eed;
	bool inside = true;
	for (int i = 0; i < DRAWS; i++)
		inside &= mml_rng_any_scale(&rng, bound) <= bound;
	char what[80];
	snprintf(what, sizeof what, "every draw up to %llu stays within it",
		 (unsigned long long)bound);
	ok(inside, what);
}

/* Bound 10,000 has 14 bits: 8 of the 15 bit lengths drawn lie below 128,
 * and some longer ones give a value there too: about 60 % in all, where a
 * uniform draw puts 1.3 % of its values. */
static void small_and_large_alike(void)
{
	uint64_t rng = 1;
	unsigned small = 0, large = 0, zero = 0;
	for (int i = 0; i < DRAWS; i++) {
		uint64_t v = mml_rng_any_scale(&rng, 10000);
		small += v < 128;
		large += v >= 5000;
		zero += v == 0;
	}
	ok(small > DRAWS * 2 / 5 && small < DRAWS * 13 / 20,
	   "over half the pauses up to 10,000 are under 128");
	ok(large > DRAWS / 50, "pauses of half the bound and more still come");
	ok(zero > DRAWS / 30, "no pause at all comes as often as one scale");
}

static void bound_zero_is_zero(void)
{
	uint64_t rng = 7;
	bool zero = true;
	for (int i = 0; i < 100; i++)
		zero &= mml_rng_any_scale(&rng, 0) == 0;
	ok(zero, "a bound of 0 gives 0");
}

int main(void)
{
	within_bound(1);
	within_bound(7);
	within_bound(10000);
	within_bound(UINT64_MAX);
	small_and_large_alike();
	bound_zero_is_zero();
	return tap_done();
}
