#include "plot.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "tag.h"
#include "text.h"

enum {
	WIDTH = 1000,
	LEFT = 80, RIGHT = 20, TOP = 84,
	BAND = 14,  /* the ops' bar above a lane */
	LANE = 260, /* a lane's height: at most this many page rows */
	GAP = 60,
	PLOT_WIDTH = WIDTH - LEFT - RIGHT, /* at most this many read columns */
	EMPTY = 0xffff,
};

static const char *const generation_colours[] = {
	"#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd",
	"#17becf", "#8c564b", "#e377c2", "#bcbd22",
};
static const char MARK_COLOUR[] = "#ff00ff";

static const char *colour(unsigned value)
{
	if (value == 0)
		return "#bdbdbd";
	if (value == MML_V_ZERO)
		return "#ffe119";
	if (value == MML_V_HOLE)
		return "#000000";
	if (value == MML_V_BAD)
		return "#d62728";
	return generation_colours[(value - 1) % 8];
}

/* One lane's geometry: the reads it shows and the grid they fall into. */
struct lane {
	const struct mml_trace_entry *e;
	uint32_t n;
	uint64_t lo, span; /* read numbers [lo, lo + span) */
	uint32_t first, pages; /* pages [first, first + pages) */
	unsigned columns, rows;
	double top; /* y of the lane's plot area */
};

static double column_x(const struct lane *l, uint64_t index)
{
	if (index < l->lo)
		index = l->lo;
	return LEFT + (double)(index - l->lo) * PLOT_WIDTH / (double)l->span;
}

static double page_y(const struct lane *l, uint32_t page)
{
	double row = (double)LANE / l->pages;
	return l->top + (double)(l->first + l->pages - 1 - page) * row;
}

/* Last read wins a cell, and a page keeps the colour of its last read
 * until it is read again: each row shows what the reader last saw on its
 * pages, rather than a comb of single reads. */
static int draw_cells(FILE *out, const struct lane *l)
{
	uint16_t *grid = malloc((size_t)l->columns * l->rows * sizeof *grid);
	if (!grid)
		return -1;
	memset(grid, 0xff, (size_t)l->columns * l->rows * sizeof *grid);
	for (uint32_t k = 0; k < l->n; k++) {
		size_t col = (size_t)((l->e[k].index - l->lo) * l->columns / l->span);
		size_t row = (size_t)(l->e[k].page - l->first) * l->rows / l->pages;
		grid[row * l->columns + col] = l->e[k].value;
	}
	double cw = (double)PLOT_WIDTH / l->columns, rh = (double)LANE / l->rows;
	for (unsigned row = 0; row < l->rows; row++) {
		uint16_t *cells = grid + (size_t)row * l->columns;
		for (unsigned col = 1; col < l->columns; col++)
			if (cells[col] == EMPTY)
				cells[col] = cells[col - 1];
		double y = l->top + (double)(l->rows - 1 - row) * rh;
		for (unsigned col = 0; col < l->columns;) {
			unsigned end = col + 1;
			while (end < l->columns && cells[end] == cells[col])
				end++;
			if (cells[col] != EMPTY)
				fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
					     "height=\"%.2f\" fill=\"%s\"/>\n",
					LEFT + col * cw, y, (end - col) * cw, rh,
					colour(cells[col]));
			col = end;
		}
	}
	free(grid);
	return 0;
}

/* Spans of reads made while one op ran, as bars above the lane. */
static void draw_bands(FILE *out, const struct lane *l)
{
	double y = l->top - BAND - 4;
	for (uint32_t k = 0; k < l->n;) {
		uint8_t state = l->e[k].before;
		uint32_t end = k + 1;
		while (end < l->n && l->e[end].before == state)
			end++;
		if (state & 1) {
			double x0 = column_x(l, l->e[k].index);
			double x1 = column_x(l, l->e[end - 1].index + 1);
			unsigned op = mml_state_started(state);
			fprintf(out, "<rect class=\"op\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				     "height=\"%d\" fill=\"%s\" opacity=\"0.6\"/>\n"
				     "<text x=\"%.2f\" y=\"%.2f\" font-size=\"10\">op %u</text>\n",
				x0, y, x1 - x0 > 1 ? x1 - x0 : 1, BAND,
				colour(op), x0 + 2, y + BAND - 3, op);
		}
		k = end;
	}
}

static void draw_axes(FILE *out, const struct lane *l, unsigned reader,
		      const struct mml_reader *r)
{
	double bottom = l->top + LANE;
	fprintf(out, "<rect x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%d\" fill=\"none\" "
		     "stroke=\"#444444\"/>\n", LEFT, l->top, PLOT_WIDTH, LANE);
	fprintf(out, "<text x=\"%d\" y=\"%.2f\" font-size=\"12\">reader %u (%s)</text>\n",
		LEFT, l->top - BAND - 8, reader, mml_order_name(r->order));
	fprintf(out, "<text x=\"%d\" y=\"%.2f\" font-size=\"10\" text-anchor=\"end\">"
		     "page %" PRIu32 "</text>\n", LEFT - 4, l->top + 10,
		l->first + l->pages - 1);
	if (l->pages > 1)
		fprintf(out, "<text x=\"%d\" y=\"%.2f\" font-size=\"10\" "
			     "text-anchor=\"end\">page %" PRIu32 "</text>\n",
			LEFT - 4, bottom, l->first);
	fprintf(out, "<text x=\"%d\" y=\"%.2f\" font-size=\"10\">read %" PRIu64 "</text>\n",
		LEFT, bottom + 14, l->lo);
	fprintf(out, "<text x=\"%d\" y=\"%.2f\" font-size=\"10\" text-anchor=\"end\">"
		     "read %" PRIu64 "</text>\n", LEFT + PLOT_WIDTH, bottom + 14,
		l->lo + l->span - 1);
}

/* What a read saw, in the legend's words. */
static void value_word(unsigned value, char *buf, size_t len)
{
	if (value == MML_V_ZERO)
		snprintf(buf, len, "zeros");
	else if (value == MML_V_HOLE)
		snprintf(buf, len, "hole");
	else if (value == MML_V_BAD)
		snprintf(buf, len, "garbage");
	else
		snprintf(buf, len, "gen %u", value);
}

/* A filled circle on the read's cell, and what it is and saw: the new
 * read's words above it, the stale read's below, so that two reads of one
 * page close in time do not write over each other; to its left in the
 * right part of the lane, so that they stay inside the picture. */
static void draw_mark(FILE *out, const struct lane *l, const char *id,
		      const char *label, const struct mml_obs *ob, bool below)
{
	char value[16];
	value_word(ob->value, value, sizeof value);
	double rh = (double)LANE / l->pages;
	double cw = (double)PLOT_WIDTH / (double)l->span;
	double x = column_x(l, ob->index) + (ob->index < l->lo ? 0 : cw / 2);
	double y = page_y(l, ob->page) + rh / 2;
	bool left = x > LEFT + PLOT_WIDTH * 0.6;
	fprintf(out, "<circle id=\"%s\" cx=\"%.2f\" cy=\"%.2f\" r=\"6\" fill=\"%s\" "
		     "stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n"
		     "<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\" font-weight=\"bold\" "
		     "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"%s>"
		     "%s%s: page %" PRIu32 ", read %" PRIu64 ", %s</text>\n",
		id, x, y, MARK_COLOUR, left ? x - 9 : x + 9, below ? y + 18 : y - 8,
		MARK_COLOUR, left ? " text-anchor=\"end\"" : "", label,
		ob->index < l->lo ? " (earlier)" : "", ob->page, ob->index, value);
}

static void draw_legend(FILE *out, const struct mml_program *p)
{
	static const unsigned specials[] = {MML_V_ZERO, MML_V_HOLE, MML_V_BAD};
	static const char *const names[] = {"zeros", "hole", "garbage"};
	double x = LEFT;
	for (unsigned g = 0; g <= p->nops && g < 9; g++) {
		fprintf(out, "<rect x=\"%.0f\" y=\"34\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			     "<text x=\"%.0f\" y=\"45\" font-size=\"11\">gen %u</text>\n",
			x, colour(g), x + 16, g);
		x += 62;
	}
	for (unsigned s = 0; s < 3; s++) {
		fprintf(out, "<rect x=\"%.0f\" y=\"34\" width=\"12\" height=\"12\" fill=\"%s\" "
			     "stroke=\"#444444\"/><text x=\"%.0f\" y=\"45\" font-size=\"11\">%s</text>\n",
			x, colour(specials[s]), x + 16, names[s]);
		x += 70;
	}
	fprintf(out, "<circle cx=\"%.0f\" cy=\"40\" r=\"6\" fill=\"%s\"/>"
		     "<text x=\"%.0f\" y=\"45\" font-size=\"11\">the violation's reads</text>\n"
		     "<text x=\"%d\" y=\"62\" font-size=\"10\" fill=\"#555555\">x: read number "
		     "in the iteration; y: page; a page keeps the colour of its last read; "
		     "bars: the op the mapper was running</text>\n",
		x + 6, MARK_COLOUR, x + 16, LEFT);
}

static void escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else
			fputc(*s, out);
	}
}

static void draw_title(FILE *out, const char *title, const struct mml_capture *c)
{
	fprintf(out, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">", LEFT);
	escape(out, title);
	if (c->fired && c->marked)
		fprintf(out, ": %s, %s, op %u", mml_class_name(c->mark.cls),
			c->mark.finding ? "FINDING" : "expected", c->mark.op);
	else if (!c->fired)
		fputs(": no iteration fired; the last one", out);
	fputs("</text>\n", out);
}

static void widen(uint32_t *lo, uint32_t *hi, uint32_t page)
{
	if (page < *lo)
		*lo = page;
	if (page > *hi)
		*hi = page;
}

/* A lane spans the pages its reader read (and its marked reads): all of
 * them for a sweeping reader, one for `single`, whose row then fills the
 * lane instead of a line a pixel high. */
static struct lane make_lane(const struct mml_program *p,
			     const struct mml_capture *c, unsigned i)
{
	struct lane l = {.e = c->entries + (size_t)i * MML_TRACE_ENTRIES,
			 .n = c->count[i],
			 .top = TOP + BAND + 10 + (double)i * (LANE + GAP + BAND)};
	uint32_t lo = UINT32_MAX, hi = 0;
	for (uint32_t k = 0; k < l.n; k++)
		widen(&lo, &hi, l.e[k].page);
	const struct mml_violation *v = &c->mark;
	if (c->marked && v->obs.reader == i)
		widen(&lo, &hi, v->obs.page);
	if (c->marked && v->known.obs.reader == i &&
	    (v->known.source == MML_SRC_OWN || v->known.source == MML_SRC_PEER))
		widen(&lo, &hi, v->known.obs.page);
	if (lo > hi) /* nothing read: the whole region */
		lo = 0, hi = p->pages - 1;
	l.first = lo;
	l.pages = hi - lo + 1;
	l.lo = l.n ? l.e[0].index : 0;
	l.span = l.n ? l.e[l.n - 1].index - l.lo + 1 : 1;
	l.columns = l.span < PLOT_WIDTH ? (unsigned)l.span : PLOT_WIDTH;
	l.rows = l.pages < LANE ? l.pages : LANE;
	return l;
}

int mml_plot_svg(FILE *out, const char *title, const struct mml_program *p,
		 const struct mml_capture *c)
{
	unsigned height = TOP + 20 + c->nreaders * (LANE + GAP + BAND) + 10;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%u\" "
		     "viewBox=\"0 0 %d %u\" font-family=\"sans-serif\">\n"
		     "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		WIDTH, height, WIDTH, height);
	draw_title(out, title, c);
	draw_legend(out, p);
	for (unsigned i = 0; i < c->nreaders; i++) {
		struct lane l = make_lane(p, c, i);
		draw_axes(out, &l, i, &p->readers[i]);
		draw_bands(out, &l);
		if (draw_cells(out, &l))
			return -1;
		const struct mml_violation *v = &c->mark;
		if (!c->marked)
			continue;
		bool own = v->known.source == MML_SRC_OWN || v->known.source == MML_SRC_PEER;
		if (own && v->known.obs.reader == i)
			draw_mark(out, &l, "mark-new", "new", &v->known.obs, false);
		if (v->obs.reader == i)
			draw_mark(out, &l, "mark-stale", "stale", &v->obs, true);
	}
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
