/* The structure-aware mutator (src/mutate.h) on the seed corpus: what it
 * writes is always the canonical encoding of a program that passes the
 * checks and keeps within the default caps and op set; it changes the input nearly every
 * time, makes every kind of change, and makes the multi-field changes
 * that byte mutations cannot; crossover keeps ops of both parents; a
 * seed repeats its output.  Nothing here runs a litmus program.
 *
 * Usage: test_mutate SEED_DIR (corpus/seed).  Output is TAP. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "execution.h"
#include "mutate.h"
#include "program.h"
#include "tap.h"
#include "text.h"

enum {
	MAX_SEEDS = 64,
	MUTATIONS = 10000,
	RANDOM_INPUTS = 2000,
	CROSSOVERS = 2000,
	REACH = 4000, /* tries at a change a planted bug needs */
};

struct seed {
	char name[256];
	uint8_t bytes[MML_ENCODING_MAX];
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static unsigned nseeds;
static struct mml_execution_env env;

/* ---- helpers ---- */

static bool read_text(const char *path, char *text, size_t max)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(text, 1, max - 1, f);
	text[n] = '\0';
	fclose(f);
	return n > 0;
}

static bool load_seed(const char *dir, const char *name)
{
	char path[4096], text[16384], why[256];
	struct mml_program p;
	const char *problem;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!read_text(path, text, sizeof text) ||
	    mml_program_parse(text, &p, why, sizeof why) < 0) {
		printf("# %s: cannot read or parse\n", path);
		return false;
	}
	struct seed *s = &seeds[nseeds];
	int len = mml_encode(&p, s->bytes, sizeof s->bytes, &problem);
	if (len < 0) {
		printf("# %s: %s\n", path, problem);
		return false;
	}
	snprintf(s->name, sizeof s->name, "%s", name);
	s->len = (size_t)len;
	nseeds++;
	return true;
}

static bool is_litmus(const char *name)
{
	size_t n = strlen(name);
	return n > 7 && strcmp(name + n - 7, ".litmus") == 0;
}

static bool load_seeds(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool all = true;
	for (struct dirent *e; (e = readdir(d)) && nseeds < MAX_SEEDS;)
		if (is_litmus(e->d_name))
			all &= load_seed(dir, e->d_name);
	closedir(d);
	return all && nseeds > 0;
}

static const struct seed *seed_named(const char *name)
{
	for (unsigned i = 0; i < nseeds; i++)
		if (strcmp(seeds[i].name, name) == 0)
			return &seeds[i];
	printf("Bail out! no seed %s\n", name);
	exit(1);
}

/* The defaults, whatever the environment running the test holds. */
static void default_env(void)
{
	static const char *const vars[] = {
		"MMLITMUS_MAX_PAGES", "MMLITMUS_MAX_READERS", "MMLITMUS_MAX_OPS",
		"MMLITMUS_MAX_REPEAT", "MMLITMUS_MAX_DELAY", "MMLITMUS_MAX_MS",
		"MMLITMUS_OPS", "MMLITMUS_TRIES", "MMLITMUS_FEEDBACK",
	};
	char why[256];
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	if (mml_execution_env(&env, why, sizeof why)) {
		printf("Bail out! %s\n", why);
		exit(1);
	}
}

/* NULL when the bytes are the canonical encoding of a program that
 * passes the checks and keeps within the env's caps and op set: the
 * decoder repaired nothing (an op it turns into pageout, a range it
 * reduces), so the program run is the one the mutator made. */
static const char *output_problem(const uint8_t *bytes, size_t len,
				  struct mml_program *p)
{
	uint8_t again[MML_ENCODING_MAX];
	mml_decode(bytes, len, p, NULL);
	const char *why = mml_program_check(p);
	if (why || (why = mml_execution_bounds(&env, p)))
		return why;
	int n = mml_encode(p, again, sizeof again, &why);
	if (n < 0)
		return why;
	return (size_t)n == len && memcmp(again, bytes, len) == 0 ? NULL
								  : "not canonical";
}

static bool output_valid(const uint8_t *bytes, size_t len, const char *from)
{
	struct mml_program p;
	const char *why = output_problem(bytes, len, &p);
	if (why)
		printf("# from %s: %s\n", from, why);
	return why == NULL;
}

static struct mml_program decoded(const uint8_t *bytes, size_t len)
{
	struct mml_program p;
	mml_decode(bytes, len, &p, NULL);
	return p;
}

/* xorshift64 for the random inputs, so that a failure reproduces. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* ---- 1. mutations of the seeds ---- */

struct tally {
	unsigned made, changed, kinds[MML_MUTATION_COUNT];
	bool valid, counts_right;
};

/* An insert adds one op and a delete takes one out, of the input once
 * its ops beyond the cap are dropped. */
static bool count_right(const struct seed *s, const uint8_t *out, size_t len,
			enum mml_mutation m)
{
	unsigned before = decoded(s->bytes, s->len).nops;
	before = before < env.caps.ops ? before : env.caps.ops;
	unsigned after = decoded(out, len).nops;
	if (m == MML_MUTATE_INSERT && after != before + 1)
		return false;
	return m != MML_MUTATE_DELETE || after == before - 1;
}

static void mutate_seeds(struct tally *t)
{
	*t = (struct tally){.valid = true, .counts_right = true};
	for (unsigned i = 0; i < MUTATIONS; i++) {
		const struct seed *s = &seeds[i % nseeds];
		uint8_t buf[MML_ENCODING_MAX];
		memcpy(buf, s->bytes, s->len);
		enum mml_mutation m;
		size_t len = mml_mutate(&env, buf, s->len, sizeof buf, i, &m);
		if (!len)
			continue;
		t->made++;
		t->kinds[m]++;
		t->changed += len != s->len || memcmp(buf, s->bytes, len) != 0;
		t->valid &= output_valid(buf, len, s->name);
		t->counts_right &= count_right(s, buf, len, m);
	}
}

static void test_seed_mutations(void)
{
	struct tally t;
	mutate_seeds(&t);
	printf("# %u of %d mutations made, %u changed the input\n", t.made,
	       MUTATIONS, t.changed);
	ok(t.valid, "every mutation of the seeds is the canonical encoding of a "
		    "checked program within the default caps and op set");
	ok(t.changed >= MUTATIONS * 9 / 10,
	   "at least 90 % of the mutations give an input other than the seed");
	bool every = true;
	for (int m = 0; m < MML_MUTATION_COUNT; m++) {
		printf("# %-13s %u\n", mml_mutation_name((enum mml_mutation)m), t.kinds[m]);
		every &= t.kinds[m] > 0;
	}
	ok(every, "every kind of change is made");
	ok(t.counts_right, "an insert adds one op, a delete takes one out");
}

/* Decoded random bytes ask for anything: 2^24 pages, 64 ops of any kind,
 * 64 readers, 65536 iterations, CPUs by number.  Most name a CPU this
 * process may not use, which no change but one of two fields undoes, so
 * only a few are mutated; those must be within the caps all the same. */
static void test_random_inputs(void)
{
	uint64_t state = 0x5eed0101;
	unsigned made = 0;
	bool valid = true;
	for (int i = 0; i < RANDOM_INPUTS; i++) {
		uint8_t buf[MML_ENCODING_MAX];
		size_t len = next_random(&state) % (sizeof buf + 1);
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)next_random(&state);
		size_t out = mml_mutate(&env, buf, len, sizeof buf, (uint64_t)i, NULL);
		made += out > 0;
		if (out)
			valid &= output_valid(buf, out, "random bytes");
	}
	printf("# %u of %d random inputs mutated\n", made, RANDOM_INPUTS);
	ok(valid && made > 0,
	   "random inputs over every cap are mutated into programs within them");
}

static void test_max_size(void)
{
	const struct seed *s = seed_named("classic.litmus");
	bool within = true;
	for (uint64_t seed = 0; seed < 500; seed++) {
		uint8_t buf[MML_ENCODING_MAX];
		memcpy(buf, s->bytes, s->len);
		within &= mml_mutate(&env, buf, s->len, s->len, seed, NULL) <= s->len;
	}
	ok(within, "no output is longer than max_size");
}

static void test_same_seed(void)
{
	const struct seed *s = seed_named("mremap-yield-three-ops.litmus");
	uint8_t a[MML_ENCODING_MAX], b[MML_ENCODING_MAX], c[MML_ENCODING_MAX];
	memcpy(a, s->bytes, s->len);
	memcpy(b, s->bytes, s->len);
	memcpy(c, s->bytes, s->len);
	size_t na = mml_mutate(&env, a, s->len, sizeof a, 77, NULL);
	size_t nb = mml_mutate(&env, b, s->len, sizeof b, 77, NULL);
	size_t nc = mml_mutate(&env, c, s->len, sizeof c, 78, NULL);
	ok(na > 0 && na == nb && memcmp(a, b, na) == 0 &&
	   (nc != na || memcmp(a, c, na) != 0),
	   "the same seed gives the same output, another seed another");
}

/* ---- 2. the changes byte mutations cannot make ---- */

/* Whether the program has op `second` right after op `first`. */
static bool follows(const struct mml_program *p, enum mml_op_kind first,
		    bool (*second)(enum mml_op_kind))
{
	for (unsigned i = 1; i < p->nops; i++)
		if (p->ops[i - 1].kind == first && second(p->ops[i].kind))
			return true;
	return false;
}

static bool moves(enum mml_op_kind k)
{
	return k == MML_OP_MREMAP || k == MML_OP_GROW;
}

/* The condition of the planted bug anon-2m: anonymous memory mapped
 * over whole 2 MiB folios. */
static bool anon_2m(const struct mml_program *p)
{
	if (p->backing != MML_BACKING_ANON || p->page_order != 9 || p->pages < 1024)
		return false;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct mml_op *op = &p->ops[i];
		if (op->kind == MML_OP_MAPFIXED && op->backing == MML_BACKING_ANON &&
		    op->lo % 512 == 0 && op->hi % 512 == 0)
			return true;
	}
	return false;
}

/* How many of REACH changes of kind m of the seed satisfy want. */
static unsigned reached(const char *seed, enum mml_mutation m,
			bool (*want)(const struct mml_program *))
{
	const struct seed *s = seed_named(seed);
	unsigned hits = 0;
	for (uint64_t r = 1; r <= REACH; r++) {
		struct mml_program p = decoded(s->bytes, s->len);
		uint64_t rng = r;
		hits += mml_mutate_program(&env, &p, m, &rng) && !mml_program_check(&p) &&
			!mml_execution_bounds(&env, &p) && want(&p);
	}
	return hits;
}

static bool mprotect_then_mremap(const struct mml_program *p)
{
	return follows(p, MML_OP_MPROTECT, moves);
}

static void test_reach(void)
{
	unsigned moved = reached("mremap-yield-three-ops.litmus", MML_MUTATE_INSERT,
				 mprotect_then_mremap);
	printf("# %u of %d inserts\n", moved, REACH);
	ok(moved > 0, "one insert puts an mremap or grow right after an mprotect");
	unsigned huge = reached("mapfixed-anon-desc.litmus", MML_MUTATE_ORDER, anon_2m);
	printf("# %u of %d order changes\n", huge, REACH);
	ok(huge > 0, "one order change maps anonymous memory over whole 2 MiB folios");
}

/* How many of REACH calls of mml_mutate_stacked with `changes` changes
 * give the seed a program that runs here and satisfies want. */
static unsigned stacked_reach(const char *seed, unsigned changes,
			      bool (*want)(const struct mml_program *))
{
	const struct seed *s = seed_named(seed);
	unsigned hits = 0;
	for (uint64_t r = 1; r <= REACH; r++) {
		uint8_t bytes[MML_ENCODING_MAX];
		struct mml_program p;
		memcpy(bytes, s->bytes, s->len);
		size_t len = mml_mutate_stacked(&env, bytes, s->len, sizeof bytes, r,
						changes, NULL);
		hits += len && !output_problem(bytes, len, &p) && want(&p);
	}
	return hits;
}

/* From classic (a memfd region and a mapfixed of a memfd), anonymous
 * memory over whole 2 MiB folios takes three changes: the region's
 * backing, its order, the op's backing. */
static void test_stacked(void)
{
	unsigned one = stacked_reach("classic.litmus", 1, anon_2m);
	unsigned four = stacked_reach("classic.litmus", 4, anon_2m);
	printf("# %u of %d single changes, %u of %d stacks of four\n", one, REACH,
	       four, REACH);
	ok(one == 0, "no single change of classic maps anonymous memory over 2 MiB folios");
	struct mml_program thp = {.pages = 1024, .page_order = 9,
				  .backing = MML_BACKING_ANON};
	if (mml_execution_admit(&env, &thp))
		ok(true, "four changes in a row do # SKIP no 2 MiB THP for anonymous memory");
	else
		ok(four > 0, "four changes in a row do");
}

static bool whole_ranges(const struct mml_program *p)
{
	for (unsigned i = 0; i < p->nops; i++)
		if (p->ops[i].lo != 0 || p->ops[i].hi != p->pages)
			return false;
	return true;
}

static void test_region_carries_ranges(void)
{
	const struct seed *s = seed_named("classic.litmus");
	bool whole = true;
	unsigned other = 0;
	for (uint64_t r = 1; r <= 500; r++) {
		struct mml_program p = decoded(s->bytes, s->len);
		uint64_t rng = r;
		if (!mml_mutate_program(&env, &p, MML_MUTATE_PAGES, &rng))
			continue;
		other += p.pages != 16;
		whole &= whole_ranges(&p);
	}
	ok(whole && other > 0, "a new page count keeps an op over the whole region whole");
}

static void test_full_program(void)
{
	const struct seed *s = seed_named("classic.litmus");
	struct mml_program p = decoded(s->bytes, s->len);
	uint64_t rng = 1;
	unsigned grown = 0;
	while (grown < 100 && mml_mutate_program(&env, &p, MML_MUTATE_INSERT, &rng))
		grown++;
	struct mml_program one = decoded(s->bytes, s->len);
	ok(grown == env.caps.ops - 1 && p.nops == env.caps.ops &&
	   !mml_mutate_program(&env, &one, MML_MUTATE_DELETE, &rng),
	   "inserts stop at the op cap, and the only op is not deleted");
}

/* ---- 3. crossover ---- */

static bool has_kind(const struct mml_program *p, enum mml_op_kind k)
{
	for (unsigned i = 0; i < p->nops; i++)
		if (p->ops[i].kind == k)
			return true;
	return false;
}

static void test_crossover(void)
{
	const struct seed *a = seed_named("classic.litmus");
	const struct seed *b = seed_named("mprotect-round-trip-single.litmus");
	struct mml_program pa = decoded(a->bytes, a->len);
	unsigned made = 0;
	bool valid = true, both = true, region = true;
	for (uint64_t seed = 0; seed < CROSSOVERS; seed++) {
		uint8_t out[MML_ENCODING_MAX];
		size_t len = mml_crossover(&env, a->bytes, a->len, b->bytes, b->len,
					   out, sizeof out, seed);
		if (!len)
			continue;
		made++;
		struct mml_program p;
		valid &= output_problem(out, len, &p) == NULL;
		both &= has_kind(&p, MML_OP_MAPFIXED) && has_kind(&p, MML_OP_MPROTECT);
		region &= p.pages == pa.pages && p.backing == pa.backing &&
			  p.nreaders == pa.nreaders && p.repeat == pa.repeat;
	}
	printf("# %u of %d crossovers made\n", made, CROSSOVERS);
	ok(made >= CROSSOVERS * 9 / 10 && valid,
	   "crossovers of two seeds are checked programs within the caps");
	ok(both, "every crossover holds ops of both parents");
	ok(region, "and the region, knobs and readers of the first");
}

static void test_crossover_any(void)
{
	bool valid = true;
	unsigned made = 0;
	for (unsigned i = 0; i < CROSSOVERS; i++) {
		const struct seed *a = &seeds[i % nseeds];
		const struct seed *b = &seeds[(i / nseeds + i + 1) % nseeds];
		uint8_t out[MML_ENCODING_MAX];
		size_t len = mml_crossover(&env, a->bytes, a->len, b->bytes, b->len,
					   out, sizeof out, i);
		made += len > 0;
		if (len)
			valid &= output_valid(out, len, a->name);
	}
	printf("# %u of %d crossovers of any two seeds made\n", made, CROSSOVERS);
	ok(valid && made >= CROSSOVERS * 8 / 10,
	   "crossovers of any two seeds are checked programs within the caps");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_mutate SEED_DIR\n");
		return 2;
	}
	default_env();
	ok(load_seeds(argv[1]), "the seeds parse and encode");
	test_seed_mutations();
	test_random_inputs();
	test_max_size();
	test_same_seed();
	test_reach();
	test_stacked();
	test_region_carries_ranges();
	test_full_program();
	test_crossover();
	test_crossover_any();
	return tap_done();
}
