#include "program.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

void mml_program_classic(struct mml_program *p)
{
	memset(p, 0, sizeof *p);
	p->pages = 16;
	p->backing = MML_BACKING_MEMFD;
	p->populate = true;
	p->nops = 1;
	p->ops[0] = (struct mml_op){.kind = MML_OP_MAPFIXED, .lo = 0, .hi = 16,
				    .backing = MML_BACKING_MEMFD};
	p->nreaders = 1;
	p->mapper_cpu = MML_AUTO_CPU;
	p->readers[0] = (struct mml_reader){.order = MML_ORDER_ASC,
					    .cpu = MML_AUTO_CPU};
	p->delay = MML_DELAY_SPIN;
	p->delay_amount = MML_SPIN_DEFAULT;
	p->repeat = 1;
}

bool mml_program_uses_hugetlb(const struct mml_program *p)
{
	if (p->backing == MML_BACKING_HUGETLB)
		return true;
	for (unsigned i = 0; i < p->nops; i++) {
		const struct mml_op *op = &p->ops[i];
		if ((mml_op_class(op->kind)->params & MML_PARAM_BACKING) &&
		    op->backing == MML_BACKING_HUGETLB)
			return true;
	}
	return false;
}

bool mml_program_maps(const struct mml_program *p, enum mml_backing b)
{
	if (p->backing == b)
		return true;
	for (unsigned i = 0; i < p->nops; i++)
		if (mml_op_class(p->ops[i].kind)->needs_store && p->ops[i].backing == b)
			return true;
	return false;
}

/* Whether an op before op j truncated generation 0's file below lo: a
 * truncate to lo would then grow the file, and the pages it adds read as
 * zeros below the op's own range, which no op's value class says. */
static bool truncated_below(const struct mml_program *p, unsigned j,
			    uint32_t lo)
{
	for (unsigned i = 1; i < j; i++)
		if (p->ops[i - 1].kind == MML_OP_TRUNCATE && p->ops[i - 1].lo < lo)
			return true;
	return false;
}

/* What one op needs of its own fields and of the program around it. */
static const char *check_op_kind(const struct mml_program *p,
				 const struct mml_op *op, unsigned j)
{
	uint32_t folio = 1u << p->page_order;
	switch (op->kind) {
	case MML_OP_TRUNCATE:
	case MML_OP_PUNCH:
		if (p->backing == MML_BACKING_ANON)
			return "truncate and punch need generation 0 to be a file (memfd, tmpfs, hugetlb)";
		if (op->kind == MML_OP_TRUNCATE && op->hi != p->pages)
			return "truncate: the range must run to the region's end";
		if (op->kind == MML_OP_TRUNCATE && truncated_below(p, j, op->lo))
			return "truncate: an earlier truncate left the file shorter, and this one would grow it";
		return NULL;
	case MML_OP_SHRINK:
		if (op->hi - op->lo <= folio)
			return "shrink: the range must hold more than one folio";
		if (mml_op_may_span_vmas(p, j))
			return "shrink: an earlier op may have split the range into several mappings";
		return NULL;
	case MML_OP_GROW:
		if (op->backing == MML_BACKING_HUGETLB)
			return "grow: the kernel does not grow hugetlb mappings";
		if (op->hi - op->lo < 2 * folio)
			return "grow: the range must hold at least two folios";
		return NULL;
	case MML_OP_REMOVE:
		if (p->read_only)
			return "remove: MADV_REMOVE needs a writable mapping, and read-only maps the files read-only";
		return NULL;
	default:
		return NULL;
	}
}

const char *mml_program_check_op(const struct mml_program *p, unsigned j)
{
	const struct mml_op *op = &p->ops[j - 1];
	if (op->kind >= MML_OP_COUNT)
		return "unknown op kind";
	if (op->lo >= op->hi)
		return "an op's page range is empty (lo must be below hi)";
	if (op->hi > p->pages)
		return "an op's page range ends beyond the region";
	if (op->backing >= MML_BACKING_COUNT)
		return "unknown backing";
	if (op->align >= MML_ALIGN_COUNT)
		return "unknown mremap alignment";
	uint32_t folio = 1u << p->page_order;
	if (mml_program_uses_hugetlb(p) && (op->lo % folio || op->hi % folio))
		return "with hugetlb pages every op's range must be whole huge pages";
	return check_op_kind(p, op, j);
}

static const char *check_reader(const struct mml_program *p,
				const struct mml_reader *r)
{
	if (r->order >= MML_ORDER_COUNT)
		return "unknown read order";
	if (r->order == MML_ORDER_SINGLE && r->param >= p->pages)
		return "single: the page is beyond the region";
	if (r->order == MML_ORDER_STRIDE && (r->param == 0 || r->param >= p->pages))
		return "stride: the stride must be at least 1 and below the page count";
	if (r->cpu < MML_AUTO_CPU || r->cpu >= CPU_SETSIZE)
		return "a CPU number is out of range";
	return NULL;
}

const char *mml_program_check(const struct mml_program *p)
{
	if (p->pages == 0)
		return "the region needs at least one page";
	if (p->pages > MML_MAX_PAGES)
		return "too many pages (at most 16777216)";
	if (p->page_order > MML_MAX_PAGE_ORDER)
		return "the page order must be from 0 to 9";
	if (p->pages % (1u << p->page_order))
		return "the page count must be a multiple of the folio size (2^order pages)";
	if (p->backing >= MML_BACKING_COUNT)
		return "unknown backing";
	if (mml_program_uses_hugetlb(p) && p->page_order != MML_MAX_PAGE_ORDER)
		return "hugetlb pages need page order 9 (2 MiB)";
	if (p->perturb >= MML_PERTURB_COUNT)
		return "unknown perturber";
	if (p->nops == 0)
		return "the mapper needs at least one op";
	if (p->nops > MML_MAX_OPS)
		return "too many ops (at most 64)";
	if (p->nreaders == 0)
		return "at least one reader is needed";
	if (p->nreaders > MML_MAX_READERS)
		return "too many readers (at most 64)";
	if (p->delay >= MML_DELAY_COUNT)
		return "unknown delay kind";
	if (p->mapper_cpu < MML_AUTO_CPU || p->mapper_cpu >= CPU_SETSIZE)
		return "a CPU number is out of range";
	if (p->repeat == 0 || p->repeat > MML_MAX_REPEAT)
		return "repeat must be from 1 to 65536";
	if (p->read_only && p->write)
		return "write: the readers' stores need a writable mapping, and read-only maps the files read-only";
	for (unsigned j = 1; j <= p->nops; j++) {
		const char *why = mml_program_check_op(p, j);
		if (why)
			return why;
	}
	for (unsigned i = 0; i < p->nreaders; i++) {
		const char *why = check_reader(p, &p->readers[i]);
		if (why)
			return why;
	}
	unsigned refused;
	return mml_ops_check(p, &refused);
}
