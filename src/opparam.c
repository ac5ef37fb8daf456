#include "opparam.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "text.h"

/* A parameter's value is a small number: an enum, or 0 and 1 for a flag. */
struct param {
	unsigned bit;            /* MML_PARAM_*: the op classes that take it */
	const char *key;         /* in the report's op object */
	const char *const *words; /* the text form's word of each value */
	unsigned count;          /* values */
	bool flag;               /* its word alone sets it; JSON true or false */
	bool always_written;     /* the text form writes it at its default too */
	unsigned byte;           /* which parameter byte of the binary record */
	unsigned shift;          /* a flag's bit in that byte */
	unsigned (*get)(const struct mml_op *op);
	void (*set)(struct mml_op *op, unsigned v);
};

static const char *const prot_words[] = {[MML_PROT_NONE] = "none", [MML_PROT_READ] = "read"};
static const char *const direction_words[] = {"asc", "desc"};
static const char *const dontunmap_words[] = {NULL, "dontunmap"};
static const char *const populate_words[] = {NULL, "populate"};
static const char *const locked_words[] = {NULL, "locked"};

static unsigned get_backing(const struct mml_op *op) { return op->backing; }
static void set_backing(struct mml_op *op, unsigned v) { op->backing = (enum mml_backing)v; }
static unsigned get_prot(const struct mml_op *op) { return op->prot; }
static void set_prot(struct mml_op *op, unsigned v) { op->prot = (enum mml_prot)v; }
static unsigned get_descending(const struct mml_op *op) { return op->descending; }
static void set_descending(struct mml_op *op, unsigned v) { op->descending = v; }
static unsigned get_align(const struct mml_op *op) { return op->align; }
static void set_align(struct mml_op *op, unsigned v) { op->align = (enum mml_align)v; }
static unsigned get_dontunmap(const struct mml_op *op) { return op->dontunmap; }
static void set_dontunmap(struct mml_op *op, unsigned v) { op->dontunmap = v; }
static unsigned get_populate(const struct mml_op *op) { return op->populate; }
static void set_populate(struct mml_op *op, unsigned v) { op->populate = v; }
static unsigned get_locked(const struct mml_op *op) { return op->locked; }
static void set_locked(struct mml_op *op, unsigned v) { op->locked = v; }

/* In the order the text form writes them. */
static const struct param params[] = {
	{MML_PARAM_BACKING, "backing", mml_backing_names, MML_BACKING_COUNT, false, true,
	 0, 0, get_backing, set_backing},
	{MML_PARAM_PROT, "prot", prot_words, 2, false, true, 1, 0, get_prot, set_prot},
	{MML_PARAM_DIRECTION, "direction", direction_words, 2, false, true, 2, 0,
	 get_descending, set_descending},
	{MML_PARAM_ALIGN, "align", mml_align_names, MML_ALIGN_COUNT, false, false, 3, 0,
	 get_align, set_align},
	{MML_PARAM_DONTUNMAP, "dontunmap", dontunmap_words, 2, true, false, 2, 1,
	 get_dontunmap, set_dontunmap},
	{MML_PARAM_MAPFLAGS, "populate", populate_words, 2, true, false, 2, 2,
	 get_populate, set_populate},
	{MML_PARAM_MAPFLAGS, "locked", locked_words, 2, true, false, 2, 3,
	 get_locked, set_locked},
};

enum { NPARAMS = sizeof params / sizeof *params };

static bool takes(const struct mml_op *op, const struct param *p)
{
	return mml_op_class(op->kind)->params & p->bit;
}

int mml_op_param_parse(const char *word, size_t len, struct mml_op *op)
{
	for (const struct param *p = params; p < params + NPARAMS; p++) {
		if (!takes(op, p))
			continue;
		for (unsigned v = 0; v < p->count; v++)
			if (p->words[v] && strlen(p->words[v]) == len &&
			    strncmp(p->words[v], word, len) == 0) {
				p->set(op, v);
				return 0;
			}
	}
	return -1;
}

void mml_op_params_format(const struct mml_op *op, char *buf, size_t len)
{
	size_t used = strlen(buf);
	for (const struct param *p = params; p < params + NPARAMS && used < len; p++) {
		unsigned v = p->get(op);
		if (!takes(op, p) || (v == 0 && !p->always_written))
			continue;
		int n = snprintf(buf + used, len - used, ":%s", p->words[v]);
		used = n < 0 ? len : used + (size_t)n;
	}
}

void mml_op_params_json(const struct mml_op *op, json_t *obj)
{
	for (const struct param *p = params; p < params + NPARAMS; p++) {
		if (!takes(op, p))
			continue;
		unsigned v = p->get(op);
		json_object_set_new(obj, p->key, p->flag ? json_boolean(v)
							 : json_string(p->words[v]));
	}
}

void mml_op_params_encode(const struct mml_op *op, uint8_t bytes[MML_OP_PARAM_BYTES])
{
	memset(bytes, 0, MML_OP_PARAM_BYTES);
	for (const struct param *p = params; p < params + NPARAMS; p++)
		if (takes(op, p))
			bytes[p->byte] |= (uint8_t)(p->get(op) << p->shift);
}

/* A byte read as a value: a flag's bit, an enum's remainder.  A backing
 * byte past the last backing reads as one of the others, never hugetlb,
 * which needs the whole program in huge pages. */
static unsigned decode_value(const struct param *p, uint8_t byte)
{
	if (p->flag)
		return byte >> p->shift & 1;
	if (p->bit == MML_PARAM_BACKING && byte >= p->count)
		return byte % MML_BACKING_HUGETLB;
	return byte % p->count;
}

void mml_op_params_decode(struct mml_op *op, const uint8_t bytes[MML_OP_PARAM_BYTES])
{
	for (const struct param *p = params; p < params + NPARAMS; p++)
		if (takes(op, p))
			p->set(op, decode_value(p, bytes[p->byte]));
}
