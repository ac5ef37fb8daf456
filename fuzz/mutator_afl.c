/* AFL++ custom mutator (AFL_CUSTOM_MUTATOR_LIBRARY): changes to the
 * program as a whole (src/mutate.h), which AFL++ runs in a stage of its
 * own before its havoc stage, beside its own byte mutations.  The caps
 * and the op set come from the same MMLITMUS_* variables the target
 * reads.  afl-fuzz loads this into its own process, which has no runtime
 * for the calls afl-clang-fast instruments code with, so it is built in
 * the build without fuzzing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "execution.h"
#include "mutate.h"
#include "rng.h"

struct mutator {
	struct mml_execution_env env;
	uint64_t rng;
	const char *last; /* the change that made the last output */
	uint8_t out[MML_ENCODING_MAX];
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

void *afl_custom_init(void *afl, unsigned int seed)
{
	(void)afl;
	char why[256];
	struct mutator *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	if (mml_execution_env(&m->env, why, sizeof why)) {
		fprintf(stderr, "mmlitmus: %s\n", why);
		free(m);
		return NULL;
	}
	m->rng = seed;
	m->last = "mutate";
	return m;
}

/* One to four changes in a row.  AFL++ mutates from the queue entry
 * each time and fuzzes few entries in a minute (doc/fuzzing.md), so a
 * program two changes away from an entry (anonymous memory in 2 MiB
 * folios from a memfd region) must come in one call. */
static unsigned changes(uint64_t *rng)
{
	return 1 + (unsigned)mml_rng_upto(rng, 3);
}

/* A quarter of the changes splice in a run of the ops of the other queue
 * entry AFL++ hands over, when it does. */
size_t afl_custom_fuzz(void *data, unsigned char *buf, size_t buf_size,
		       unsigned char **out_buf, unsigned char *add_buf,
		       size_t add_buf_size, size_t max_size)
{
	struct mutator *m = data;
	uint64_t seed = mml_rng_next(&m->rng);
	size_t max = min_size(max_size, sizeof m->out), len = 0;
	*out_buf = m->out; /* AFL++ needs a buffer even with nothing in it */
	if (add_buf && seed % 4 == 0) {
		len = mml_crossover(&m->env, buf, buf_size, add_buf, add_buf_size,
				    m->out, max, seed >> 2);
		m->last = "crossover";
	}
	if (!len) {
		/* The decoder reads no byte past a program's last record. */
		size_t n = min_size(buf_size, sizeof m->out);
		enum mml_mutation done;
		memcpy(m->out, buf, n);
		len = mml_mutate_stacked(&m->env, m->out, n, max, seed >> 2,
					 changes(&m->rng), &done);
		if (len)
			m->last = mml_mutation_name(done);
	}
	return len;
}

/* Names the queue entries and crashes the mutator made. */
const char *afl_custom_describe(void *data, size_t max_description_len)
{
	(void)max_description_len;
	return ((struct mutator *)data)->last;
}

void afl_custom_deinit(void *data)
{
	free(data);
}
