#include "history.h"

#include <errno.h>
#include <stdlib.h>

#include "ops.h"
#include "tag.h"

/* Where a store to the page lands: the file mapped there (punch and
 * remove change what the file holds, not which file is mapped), private
 * anonymous memory, or nowhere.  Every readable mapping of the harness is
 * writable too. */
static uint8_t landing(const struct mml_page_state *s)
{
	if (!s->readable || s->content == MML_V_HOLE)
		return MML_LAND_FAULT;
	return s->file == MML_V_BAD ? MML_LAND_ANON : s->file;
}

static void note_landing(struct mml_history *h, size_t base, unsigned j,
			 const struct mml_page_state *s)
{
	uint8_t *land = h->landing + base, *cover = h->landcover + base;
	land[j] = landing(s);
	if (j == 0)
		cover[j] = 0;
	else
		cover[j] = land[j] != land[j - 1] ? (uint8_t)j : cover[j - 1];
}

static uint8_t earliest_proof(const struct mml_history *h, uint32_t page,
			      unsigned j)
{
	const uint8_t *lastcover = mml_history_row(h->lastcover, h, page);
	unsigned f = lastcover[j];
	unsigned l = f > 0 ? lastcover[f - 1] : 0;
	uint8_t value = mml_history_row(h->value, h, page)[j];
	while (l < f && !mml_history_candidate(h, page, l, value))
		l++;
	return (uint8_t)l;
}

/* One page's row: play every op that touches the page.  An op covers the
 * page only if it changes what a reader sees there (doc/oracle.md, "Values"). */
static void build_row(struct mml_history *h, const struct mml_program *p,
		      uint32_t page)
{
	size_t base = (size_t)page * h->ngens;
	uint8_t *value = h->value + base;
	uint8_t *lastcover = h->lastcover + base;
	uint8_t *alt = h->alt + base;
	uint32_t folio = 1u << p->page_order;
	struct mml_page_state s = mml_initial_state(p);
	value[0] = mml_page_visible(&s);
	alt[0] = mml_page_visible_alt(&s);
	lastcover[0] = 0;
	if (h->landing)
		note_landing(h, base, 0, &s);
	for (unsigned j = 1; j < h->ngens; j++) {
		const struct mml_op *op = &p->ops[j - 1];
		if (page >= op->lo && page < op->hi)
			mml_op_class(op->kind)->effect(op, j, page, folio, &s);
		value[j] = mml_page_visible(&s);
		alt[j] = mml_page_visible_alt(&s);
		lastcover[j] = value[j] != value[j - 1] ? (uint8_t)j : lastcover[j - 1];
		if (h->landing)
			note_landing(h, base, j, &s);
	}
	for (unsigned j = 0; j < h->ngens; j++)
		h->proof[base + j] = earliest_proof(h, page, j);
}

int mml_history_build(struct mml_history *h, const struct mml_program *p)
{
	h->pages = p->pages;
	h->ngens = p->nops + 1;
	size_t n = (size_t)h->pages * h->ngens;
	h->value = malloc(n);
	h->lastcover = malloc(n);
	h->alt = malloc(n);
	h->proof = malloc(n);
	h->landing = p->write ? malloc(n) : NULL;
	h->landcover = p->write ? malloc(n) : NULL;
	if (!h->value || !h->lastcover || !h->alt || !h->proof ||
	    (p->write && (!h->landing || !h->landcover))) {
		mml_history_free(h);
		return -ENOMEM;
	}
	for (uint32_t page = 0; page < h->pages; page++)
		build_row(h, p, page);
	return 0;
}

void mml_history_free(struct mml_history *h)
{
	free(h->value);
	free(h->lastcover);
	free(h->alt);
	free(h->proof);
	free(h->landing);
	free(h->landcover);
	h->value = h->lastcover = h->alt = h->proof = h->landing = h->landcover = NULL;
}
