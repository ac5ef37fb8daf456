#include "encoding.h"

#include <sched.h>
#include <string.h>

#include "opparam.h"
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

/* Version 1 knew the first six op kinds and three backings. */
enum { V1_OPS = MML_OP_PIECEWISE + 1, V1_BACKINGS = MML_BACKING_ANON + 1 };

/* A range inside the region, never empty; with hugetlb pages it is whole
 * folios, as the kernel demands. */
static void decode_range(struct input *in, uint32_t pages, uint32_t folio,
			 struct mml_op *op)
{
	uint32_t folios = pages / folio;
	uint32_t lo = take(in, 3) % folios;
	uint32_t len = 1 + take(in, 3) % (folios - lo);
	op->lo = lo * folio;
	op->hi = (lo + len) * folio;
}

/* A version 1 op record; doc/format.md ("The input format") has its
 * fields. */
static void decode_op_v1(struct input *in, uint32_t pages, struct mml_op *op)
{
	op->kind = (enum mml_op_kind)(take(in, 1) % V1_OPS);
	decode_range(in, pages, 1, op);
	op->backing = (enum mml_backing)(take(in, 1) % V1_BACKINGS);
	op->prot = (enum mml_prot)(take(in, 1) % 2);
	op->descending = take(in, 1) % 2;
}

/* A reader record (doc/format.md).  A stride needs two pages; on one
 * page it reads as ascending. */
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

/* Huge pages and hugetlb need machine settings that most machines do not
 * have, and a program that asks for them is skipped there.  So only the
 * byte values that name them exactly do: a random byte gives base pages
 * and a backing without hugetlb, and a one-byte mutation still reaches
 * every order and backing. */
static unsigned decode_order(uint32_t v)
{
	return v <= MML_MAX_PAGE_ORDER ? v : 0;
}

static uint32_t decode_backing(uint32_t v)
{
	return v < MML_BACKING_COUNT ? v : v % MML_BACKING_HUGETLB;
}

/* The header fields both versions share, from the backing on. */
static void decode_knobs(struct input *in, struct mml_program *p,
			 unsigned version)
{
	uint32_t backing = take(in, 1);
	p->backing = (enum mml_backing)(version == MML_ENCODING_V1
						? backing % V1_BACKINGS
						: decode_backing(backing));
	uint32_t flags = take(in, 1);
	p->populate = !(flags & 1);
	p->share = flags & 2;
	p->write = version != MML_ENCODING_V1 && (flags & 4);
	/* Writers need a writable mapping: with both bits, writers win. */
	p->read_only = version != MML_ENCODING_V1 && (flags & 8) && !p->write;
	p->delay = (enum mml_delay)(take(in, 1) % MML_DELAY_COUNT);
	p->delay_amount = take(in, 4);
	if (p->delay != MML_DELAY_SPIN && p->delay != MML_DELAY_SLEEP)
		p->delay_amount = 0;
	p->reader_yield = take(in, 4);
	p->mapper_cpu = decode_cpu(take(in, 2));
	p->repeat = 1 + take(in, 2) % MML_MAX_REPEAT;
	p->nops = 1 + take(in, 1) % MML_MAX_OPS;
	p->nreaders = 1 + take(in, 1) % MML_MAX_READERS;
}

static void decode_v1(struct input *in, struct mml_program *p)
{
	p->pages = 1 + take(in, 3) % MML_MAX_PAGES;
	take(in, 1); /* page order: version 1 knows order 0 only */
	p->page_order = 0;
	decode_knobs(in, p, MML_ENCODING_V1);
	for (unsigned i = 0; i < p->nops; i++)
		decode_op_v1(in, p->pages, &p->ops[i]);
	for (unsigned i = 0; i < p->nreaders; i++)
		decode_reader(in, p->pages, &p->readers[i]);
}

/* A version 2 op record (doc/format.md).  Fields the kind does not take
 * read as their defaults, so every program has one canonical encoding. */
static void decode_op_v2(struct input *in, const struct mml_program *p,
			 struct mml_op *op)
{
	uint32_t folio = p->backing == MML_BACKING_HUGETLB ? 1u << p->page_order : 1;
	op->kind = (enum mml_op_kind)(take(in, 1) % MML_OP_COUNT);
	decode_range(in, p->pages, folio, op);
	uint8_t bytes[MML_OP_PARAM_BYTES];
	for (unsigned i = 0; i < MML_OP_PARAM_BYTES; i++)
		bytes[i] = (uint8_t)take(in, 1);
	mml_op_params_decode(op, bytes);
	/* hugetlb pages need the whole program in whole huge pages. */
	if (op->backing == MML_BACKING_HUGETLB && p->backing != MML_BACKING_HUGETLB)
		op->backing = MML_BACKING_MEMFD;
}

/* An op the program around it makes impossible (an ftruncate of anonymous
 * memory, MADV_REMOVE of private pages, ...) becomes pageout, which any
 * page takes and which changes nothing a reader sees: decoding stays
 * total, and a mutation that breaks one op keeps the rest. */
static void make_pageout(struct mml_op *op)
{
	*op = (struct mml_op){.kind = MML_OP_PAGEOUT, .lo = op->lo, .hi = op->hi};
}

static void repair_ops(struct mml_program *p)
{
	for (unsigned j = 1; j <= p->nops; j++) {
		struct mml_op *op = &p->ops[j - 1];
		if (op->kind == MML_OP_TRUNCATE)
			op->hi = p->pages;
		if (op->kind == MML_OP_GROW && mml_program_check_op(p, j))
			op->kind = MML_OP_MREMAP;
		if (mml_program_check_op(p, j))
			make_pageout(op);
	}
	unsigned refused;
	while (mml_ops_check(p, &refused))
		make_pageout(&p->ops[refused]);
}

static void decode_v2(struct input *in, struct mml_program *p)
{
	uint32_t pages = take(in, 3);
	p->page_order = decode_order(take(in, 1));
	decode_knobs(in, p, MML_ENCODING_V2);
	if (p->backing == MML_BACKING_HUGETLB)
		p->page_order = MML_MAX_PAGE_ORDER;
	uint32_t folio = 1u << p->page_order;
	p->pages = folio * (1 + pages % (MML_MAX_PAGES / folio));
	p->perturb = (enum mml_perturb)(take(in, 1) % MML_PERTURB_COUNT);
	for (unsigned i = 0; i < p->nops; i++)
		decode_op_v2(in, p, &p->ops[i]);
	for (unsigned i = 0; i < p->nreaders; i++)
		decode_reader(in, p->pages, &p->readers[i]);
	repair_ops(p);
}

unsigned mml_decode(const uint8_t *data, size_t len, struct mml_program *p,
		    bool *known)
{
	struct input in = {data, len, 0};
	unsigned version = take(&in, 1);
	if (known)
		*known = version == MML_ENCODING_V1 || version == MML_ENCODING_V2;
	memset(p, 0, sizeof *p);
	if (version == MML_ENCODING_V1) {
		decode_v1(&in, p);
		return MML_ENCODING_V1;
	}
	decode_v2(&in, p);
	return MML_ENCODING_V2;
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

static void encode_op(struct output *out, const struct mml_op *op,
		      uint32_t folio)
{
	give(out, op->kind, 1);
	give(out, op->lo / folio, 3);
	give(out, (op->hi - op->lo) / folio - 1, 3);
	uint8_t bytes[MML_OP_PARAM_BYTES];
	mml_op_params_encode(op, bytes);
	for (unsigned i = 0; i < MML_OP_PARAM_BYTES; i++)
		give(out, bytes[i], 1);
}

static void encode_reader(struct output *out, const struct mml_reader *r)
{
	give(out, r->order, 1);
	bool has_param = r->order == MML_ORDER_STRIDE || r->order == MML_ORDER_SINGLE;
	give(out, has_param ? (r->order == MML_ORDER_STRIDE ? r->param - 1 : r->param) : 0, 3);
	give(out, encode_cpu(r->cpu), 2);
}

/* Whether decoding the program's bytes gives the program back: version 2
 * turns ops the program makes impossible into pageout, and cannot say a
 * hugetlb op in a program whose generation 0 is not hugetlb. */
static const char *expressible(const struct mml_program *p)
{
	bool huge0 = p->backing == MML_BACKING_HUGETLB;
	if (mml_program_uses_hugetlb(p) && !huge0)
		return "the input format has hugetlb ops only when generation 0 is hugetlb";
	return NULL;
}

int mml_encode(const struct mml_program *p, uint8_t *buf, size_t len,
	       const char **why)
{
	*why = mml_program_check(p);
	if (!*why)
		*why = expressible(p);
	if (*why)
		return -1;
	size_t need = MML_ENCODING_HEADER + p->nops * MML_ENCODING_OP +
		      p->nreaders * MML_ENCODING_READER;
	if (len < need) {
		*why = "the output buffer is too small";
		return -1;
	}
	uint32_t folio = 1u << p->page_order;
	uint32_t op_unit = p->backing == MML_BACKING_HUGETLB ? folio : 1;
	struct output out = {buf, 0};
	give(&out, MML_ENCODING_V2, 1);
	give(&out, p->pages / folio - 1, 3);
	give(&out, p->page_order, 1);
	give(&out, p->backing, 1);
	give(&out, (uint32_t)!p->populate | (uint32_t)p->share << 1 |
			   (uint32_t)p->write << 2 | (uint32_t)p->read_only << 3, 1);
	give(&out, p->delay, 1);
	bool amount = p->delay == MML_DELAY_SPIN || p->delay == MML_DELAY_SLEEP;
	give(&out, amount ? p->delay_amount : 0, 4);
	give(&out, p->reader_yield, 4);
	give(&out, encode_cpu(p->mapper_cpu), 2);
	give(&out, p->repeat - 1, 2);
	give(&out, p->nops - 1, 1);
	give(&out, p->nreaders - 1, 1);
	give(&out, p->perturb, 1);
	for (unsigned i = 0; i < p->nops; i++)
		encode_op(&out, &p->ops[i], op_unit);
	for (unsigned i = 0; i < p->nreaders; i++)
		encode_reader(&out, &p->readers[i]);
	return (int)out.at;
}
