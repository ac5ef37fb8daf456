#include "encoding.h"

#include <sched.h>
#include <string.h>

#include "ops.h"

/* A cursor over the input that reads zeros past its end. */
struct input {
	const uint8_t *data;
	size_t len, at;
};

static uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < bytes; i++, in->at++)
		if (in->at < in->len)
			v |= (uint32_t)in->data[in->at] << (8 * i);
	return v;
}

/* CPU fields: 0 auto, 1 any (unpinned), n + 2 CPU n. */
static int decode_cpu(uint32_t v)
{
	if (v == 0)
		return MML_AUTO_CPU;
	if (v == 1)
		return MML_NO_CPU;
	return (int)((v - 2) % CPU_SETSIZE);
}

static uint32_t encode_cpu(int cpu)
{
	if (cpu == MML_AUTO_CPU)
		return 0;
	if (cpu == MML_NO_CPU)
		return 1;
	return (uint32_t)cpu + 2;
}

/* Op record: kind, lo (24 bits), length - 1 (24 bits), backing, prot,
 * direction.  The range is reduced into the region, so it is never empty. */
static void decode_op(struct input *in, uint32_t pages, struct mml_op *op)
{
	op->kind = (enum mml_op_kind)(take(in, 1) % MML_OP_COUNT);
	op->lo = take(in, 3) % pages;
	op->hi = op->lo + 1 + take(in, 3) % (pages - op->lo);
	op->backing = (enum mml_backing)(take(in, 1) % MML_BACKING_COUNT);
	op->prot = (enum mml_prot)(take(in, 1) % 2);
	op->descending = take(in, 1) % 2;
}

/* Reader record: order, parameter (24 bits), cpu (16 bits).  A stride
 * needs two pages; on one page it reads as ascending. */
static void decode_reader(struct input *in, uint32_t pages, struct mml_reader *r)
{
	r->order = (enum mml_read_order)(take(in, 1) % MML_ORDER_COUNT);
	uint32_t param = take(in, 3);
	r->cpu = decode_cpu(take(in, 2));
	r->param = 0;
	if (r->order == MML_ORDER_STRIDE && pages < 2)
		r->order = MML_ORDER_ASC;
	else if (r->order == MML_ORDER_STRIDE)
		r->param = 1 + param % (pages - 1);
	else if (r->order == MML_ORDER_SINGLE)
		r->param = param % pages;
}

static void decode_v1(struct input *in, struct mml_program *p)
{
	p->pages = 1 + take(in, 3) % MML_MAX_PAGES;
	take(in, 1); /* page order: version 1 knows order 0 only */
	p->page_order = 0;
	p->backing = (enum mml_backing)(take(in, 1) % MML_BACKING_COUNT);
	uint32_t flags = take(in, 1);
	p->populate = !(flags & 1);
	p->share = flags & 2;
	p->delay = (enum mml_delay)(take(in, 1) % MML_DELAY_COUNT);
	p->delay_amount = take(in, 4);
	if (p->delay != MML_DELAY_SPIN && p->delay != MML_DELAY_SLEEP)
		p->delay_amount = 0;
	p->reader_yield = take(in, 4);
	p->mapper_cpu = decode_cpu(take(in, 2));
	p->repeat = 1 + take(in, 2) % MML_MAX_REPEAT;
	p->nops = 1 + take(in, 1) % MML_MAX_OPS;
	p->nreaders = 1 + take(in, 1) % MML_MAX_READERS;
	for (unsigned i = 0; i < p->nops; i++)
		decode_op(in, p->pages, &p->ops[i]);
	for (unsigned i = 0; i < p->nreaders; i++)
		decode_reader(in, p->pages, &p->readers[i]);
}

unsigned mml_decode(const uint8_t *data, size_t len, struct mml_program *p,
		    bool *known)
{
	struct input in = {data, len, 0};
	unsigned version = take(&in, 1);
	if (known)
		*known = version == MML_ENCODING_V1;
	memset(p, 0, sizeof *p);
	decode_v1(&in, p);
	return MML_ENCODING_V1;
}

/* A cursor over the output; the caller checked the room. */
struct output {
	uint8_t *buf;
	size_t at;
};

static void give(struct output *out, uint32_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		out->buf[out->at++] = (uint8_t)(v >> (8 * i));
}

static void encode_op(struct output *out, const struct mml_op *op)
{
	give(out, op->kind, 1);
	give(out, op->lo, 3);
	give(out, op->hi - op->lo - 1, 3);
	const struct mml_op_class *c = mml_op_class(op->kind);
	give(out, c->params & MML_PARAM_BACKING ? op->backing : 0, 1);
	give(out, c->params & MML_PARAM_PROT ? op->prot : 0, 1);
	give(out, c->params & MML_PARAM_DIRECTION ? op->descending : 0, 1);
}

static void encode_reader(struct output *out, const struct mml_reader *r)
{
	give(out, r->order, 1);
	bool has_param = r->order == MML_ORDER_STRIDE || r->order == MML_ORDER_SINGLE;
	give(out, has_param ? (r->order == MML_ORDER_STRIDE ? r->param - 1 : r->param) : 0, 3);
	give(out, encode_cpu(r->cpu), 2);
}

int mml_encode(const struct mml_program *p, uint8_t *buf, size_t len,
	       const char **why)
{
	*why = mml_program_check(p);
	if (*why)
		return -1;
	if (p->page_order != 0) {
		*why = "version 1 of the input format has page order 0 only";
		return -1;
	}
	size_t need = MML_ENCODING_HEADER + p->nops * MML_ENCODING_OP +
		      p->nreaders * MML_ENCODING_READER;
	if (len < need) {
		*why = "the output buffer is too small";
		return -1;
	}
	struct output out = {buf, 0};
	give(&out, MML_ENCODING_V1, 1);
	give(&out, p->pages - 1, 3);
	give(&out, p->page_order, 1);
	give(&out, p->backing, 1);
	give(&out, (uint32_t)!p->populate | (uint32_t)p->share << 1, 1);
	give(&out, p->delay, 1);
	bool amount = p->delay == MML_DELAY_SPIN || p->delay == MML_DELAY_SLEEP;
	give(&out, amount ? p->delay_amount : 0, 4);
	give(&out, p->reader_yield, 4);
	give(&out, encode_cpu(p->mapper_cpu), 2);
	give(&out, p->repeat - 1, 2);
	give(&out, p->nops - 1, 1);
	give(&out, p->nreaders - 1, 1);
	for (unsigned i = 0; i < p->nops; i++)
		encode_op(&out, &p->ops[i]);
	for (unsigned i = 0; i < p->nreaders; i++)
		encode_reader(&out, &p->readers[i]);
	return (int)out.at;
}
