#include "program.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opparam.h"
#include "ops.h"

static const char *const backing_names[MML_BACKING_COUNT] = {
	[MML_BACKING_MEMFD] = "memfd",
	[MML_BACKING_TMPFS] = "tmpfs",
	[MML_BACKING_ANON] = "anon",
	[MML_BACKING_HUGETLB] = "hugetlb",
};

static const char *const align_names[MML_ALIGN_COUNT] = {
	[MML_ALIGN_PTE] = "pte",
	[MML_ALIGN_PMD] = "pmd",
	[MML_ALIGN_PUD] = "pud",
};

static const char *const perturb_names[MML_PERTURB_COUNT] = {
	[MML_PERTURB_NONE] = "none",
	[MML_PERTURB_FORK] = "fork",
	[MML_PERTURB_MMAP] = "mmap",
};

static const char *const order_names[MML_ORDER_COUNT] = {
	[MML_ORDER_ASC] = "asc",
	[MML_ORDER_DESC] = "desc",
	[MML_ORDER_RANDOM] = "random",
	[MML_ORDER_STRIDE] = "stride",
	[MML_ORDER_PINGPONG] = "pingpong",
	[MML_ORDER_SINGLE] = "single",
};

static const char *const delay_names[MML_DELAY_COUNT] = {
	[MML_DELAY_NONE] = "none",
	[MML_DELAY_SPIN] = "spin",
	[MML_DELAY_YIELD] = "yield",
	[MML_DELAY_SLEEP] = "sleep",
};

const char *mml_backing_name(enum mml_backing b) { return backing_names[b]; }
const char *mml_order_name(enum mml_read_order o) { return order_names[o]; }
const char *mml_delay_name(enum mml_delay d) { return delay_names[d]; }
const char *mml_align_name(enum mml_align a) { return align_names[a]; }
const char *mml_perturb_name(enum mml_perturb x) { return perturb_names[x]; }

static int lookup(const char *const *names, int n, const char *s, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
			return i;
	return -1;
}

int mml_parse_number(const char *s, uint64_t max, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (mml_parse_number(s, UINT32_MAX, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int mml_backing_parse(const char *s, enum mml_backing *out)
{
	int b = lookup(backing_names, MML_BACKING_COUNT, s, strlen(s));
	if (b < 0)
		return -1;
	*out = (enum mml_backing)b;
	return 0;
}

int mml_perturb_parse(const char *s, enum mml_perturb *out)
{
	int x = lookup(perturb_names, MML_PERTURB_COUNT, s, strlen(s));
	if (x < 0)
		return -1;
	*out = (enum mml_perturb)x;
	return 0;
}

/* NAME or NAME:N, for stride and single. */
int mml_order_parse(const char *s, struct mml_reader *out)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	int o = lookup(order_names, MML_ORDER_COUNT, s, len);
	if (o < 0)
		return -1;
	out->order = (enum mml_read_order)o;
	out->param = o == MML_ORDER_STRIDE ? 2 : 0;
	if (!colon)
		return 0;
	if (o != MML_ORDER_STRIDE && o != MML_ORDER_SINGLE)
		return -1;
	return parse_u32(colon + 1, &out->param);
}

/* NAME or NAME:N; the amount bounds the per-op random draw. */
int mml_delay_parse(const char *s, enum mml_delay *kind, uint32_t *amount)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	int d = lookup(delay_names, MML_DELAY_COUNT, s, len);
	if (d < 0)
		return -1;
	*kind = (enum mml_delay)d;
	*amount = d == MML_DELAY_SPIN ? 1000 : d == MML_DELAY_SLEEP ? 10000 : 0;
	if (!colon)
		return 0;
	if (d != MML_DELAY_SPIN && d != MML_DELAY_SLEEP)
		return -1;
	return parse_u32(colon + 1, amount);
}

static int parse_range(const char *s, size_t len, struct mml_op *op)
{
	char buf[32];
	if (len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	char *dash = strchr(buf, '-');
	if (!dash || buf[0] < '0' || buf[0] > '9')
		return -1;
	*dash = 0;
	return parse_u32(buf, &op->lo) || parse_u32(dash + 1, &op->hi) ? -1 : 0;
}

static int parse_op_param(const char *s, size_t len, struct mml_op *op)
{
	if (len > 0 && s[0] >= '0' && s[0] <= '9')
		return parse_range(s, len, op);
	return mml_op_param_parse(s, len, op);
}

int mml_op_parse(const char *s, uint32_t pages, struct mml_op *out)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	char name[32];
	if (len >= sizeof name)
		return -1;
	memcpy(name, s, len);
	name[len] = 0;
	int kind = mml_op_kind_parse(name);
	if (kind < 0)
		return -1;
	*out = (struct mml_op){.kind = (enum mml_op_kind)kind, .lo = 0,
			       .hi = pages, .backing = MML_BACKING_MEMFD,
			       .prot = MML_PROT_NONE, .align = MML_ALIGN_PTE};
	while (colon) {
		const char *p = colon + 1;
		colon = strchr(p, ':');
		size_t plen = colon ? (size_t)(colon - p) : strlen(p);
		if (parse_op_param(p, plen, out))
			return -1;
	}
	return 0;
}

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
	p->delay = MML_DELAY_NONE;
	p->repeat = 1;
}

static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

int mml_program_place(struct mml_program *p)
{
	int cpus[CPU_SETSIZE];
	int n = allowed_cpus(cpus, CPU_SETSIZE);
	if (p->mapper_cpu == MML_AUTO_CPU)
		p->mapper_cpu = n > 1 ? cpus[0] : MML_NO_CPU;
	int others[CPU_SETSIZE], m = 0;
	for (int i = 0; i < n; i++)
		if (cpus[i] != p->mapper_cpu)
			others[m++] = cpus[i];
	unsigned next = 0;
	for (unsigned i = 0; i < p->nreaders; i++) {
		struct mml_reader *r = &p->readers[i];
		if (r->cpu != MML_AUTO_CPU)
			continue;
		r->cpu = n > 1 && m > 0 ? others[next++ % (unsigned)m] : MML_NO_CPU;
	}
	return n;
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

void mml_op_format(const struct mml_op *op, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%" PRIu32 "-%" PRIu32, mml_op_class(op->kind)->name,
		 op->lo, op->hi);
	mml_op_params_format(op, buf, len);
}
