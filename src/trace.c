#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void mml_trace_reset(struct mml_trace *t)
{
	t->next = t->count = 0;
	t->remaining = t->ring ? UINT32_MAX : 0;
}

void mml_trace_copy(const struct mml_trace *t, struct mml_capture *c,
		    unsigned i)
{
	struct mml_trace_entry *to = c->entries + (size_t)i * MML_TRACE_ENTRIES;
	uint32_t first = (t->next + MML_TRACE_ENTRIES - t->count) % MML_TRACE_ENTRIES;
	uint32_t tail = MML_TRACE_ENTRIES - first;
	if (tail > t->count)
		tail = t->count;
	memcpy(to, t->ring + first, tail * sizeof *to);
	memcpy(to + tail, t->ring, (t->count - tail) * sizeof *to);
	c->count[i] = t->count;
}

int mml_capture_init(struct mml_capture *c)
{
	memset(c, 0, sizeof *c);
	c->entries = calloc((size_t)MML_MAX_READERS * MML_TRACE_ENTRIES,
			    sizeof *c->entries);
	return c->entries ? 0 : -ENOMEM;
}

void mml_capture_free(struct mml_capture *c)
{
	free(c->entries);
	c->entries = NULL;
}

void mml_capture_reset(struct mml_capture *c)
{
	c->filled = c->fired = c->marked = false;
	c->nreaders = 0;
}
