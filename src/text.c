#include "text.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opparam.h"
#include "ops.h"
#include "sink.h"

const char *const mml_backing_names[MML_BACKING_COUNT] = {
	[MML_BACKING_MEMFD] = "memfd",
	[MML_BACKING_TMPFS] = "tmpfs",
	[MML_BACKING_ANON] = "anon",
	[MML_BACKING_HUGETLB] = "hugetlb",
};

const char *const mml_align_names[MML_ALIGN_COUNT] = {
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

const char *mml_backing_name(enum mml_backing b) { return mml_backing_names[b]; }
const char *mml_order_name(enum mml_read_order o) { return order_names[o]; }
const char *mml_delay_name(enum mml_delay d) { return delay_names[d]; }
const char *mml_align_name(enum mml_align a) { return mml_align_names[a]; }
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
	int b = lookup(mml_backing_names, MML_BACKING_COUNT, s, strlen(s));
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
	*amount = d == MML_DELAY_SPIN ? MML_SPIN_DEFAULT : d == MML_DELAY_SLEEP ? 10000 : 0;
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

void mml_op_format(const struct mml_op *op, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%" PRIu32 "-%" PRIu32, mml_op_class(op->kind)->name,
		 op->lo, op->hi);
	mml_op_params_format(op, buf, len);
}

static void put_cpu(struct mml_sink *s, int cpu)
{
	if (cpu == MML_NO_CPU)
		mml_sink_put(s, " cpu=any");
	else if (cpu == MML_AUTO_CPU)
		mml_sink_put(s, " cpu=auto");
	else
		mml_sink_put(s, " cpu=%d", cpu);
}

static bool delay_has_amount(enum mml_delay d)
{
	return d == MML_DELAY_SPIN || d == MML_DELAY_SLEEP;
}

void mml_program_format(const struct mml_program *p, char *buf, size_t len)
{
	struct mml_sink s = {buf, len, 0};
	buf[0] = 0;
	mml_sink_put(&s, "pages %" PRIu32 "\norder %u\nbacking %s\npopulate %d\n",
	    p->pages, p->page_order, mml_backing_name(p->backing), p->populate);
	/* Only when set: programs written before it print as they did. */
	if (p->read_only)
		mml_sink_put(&s, "read-only 1\n");
	mml_sink_put(&s, "mapper");
	put_cpu(&s, p->mapper_cpu);
	mml_sink_put(&s, " delay=%s", mml_delay_name(p->delay));
	if (delay_has_amount(p->delay))
		mml_sink_put(&s, ":%" PRIu32, p->delay_amount);
	mml_sink_put(&s, "\n");
	for (unsigned i = 0; i < p->nops; i++) {
		char op[96];
		mml_op_format(&p->ops[i], op, sizeof op);
		mml_sink_put(&s, "op %u %s\n", i + 1, op);
	}
	for (unsigned i = 0; i < p->nreaders; i++) {
		const struct mml_reader *r = &p->readers[i];
		mml_sink_put(&s, "reader %u %s", i, mml_order_name(r->order));
		if (r->order == MML_ORDER_STRIDE || r->order == MML_ORDER_SINGLE)
			mml_sink_put(&s, ":%" PRIu32, r->param);
		put_cpu(&s, r->cpu);
		mml_sink_put(&s, "\n");
	}
	mml_sink_put(&s, "reader-yield %" PRIu32 "\nshare %d\nwrite %d\nperturb %s\n"
	    "repeat %" PRIu32 "\n", p->reader_yield, p->share, p->write,
	    mml_perturb_name(p->perturb), p->repeat);
}

/* One line being parsed: its number, for messages, and where to put them. */
struct line {
	unsigned number;
	char *why;
	size_t whylen;
};

static int __attribute__((format(printf, 2, 3)))
fail(const struct line *l, const char *fmt, ...)
{
	int n = snprintf(l->why, l->whylen, "line %u: ", l->number);
	if (n >= 0 && (size_t)n < l->whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(l->why + n, l->whylen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int u32_field(const struct line *l, const char *key, const char *v,
		     uint64_t max, uint32_t *out)
{
	uint64_t n;
	if (mml_parse_number(v, max, &n))
		return fail(l, "%s: '%s' is not a number from 0 to %" PRIu64, key, v, max);
	*out = (uint32_t)n;
	return 0;
}

static int bool_field(const struct line *l, const char *key, const char *v,
		      bool *out)
{
	if (strcmp(v, "0") && strcmp(v, "1"))
		return fail(l, "%s: '%s' is not 0 or 1", key, v);
	*out = v[0] == '1';
	return 0;
}

static int cpu_field(const struct line *l, const char *v, int *out)
{
	uint64_t n;
	if (strcmp(v, "any") == 0)
		*out = MML_NO_CPU;
	else if (strcmp(v, "auto") == 0)
		*out = MML_AUTO_CPU;
	else if (mml_parse_number(v, CPU_SETSIZE - 1, &n) == 0)
		*out = (int)n;
	else
		return fail(l, "cpu: '%s' is not auto, any or a CPU number", v);
	return 0;
}

/* "cpu=C" and, for the mapper, "delay=D[:N]", in any order. */
static int thread_fields(const struct line *l, char *rest, int *cpu,
			 struct mml_program *delay_of)
{
	for (char *tok = strtok(rest, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (strncmp(tok, "cpu=", 4) == 0) {
			if (cpu_field(l, tok + 4, cpu))
				return -1;
		} else if (delay_of && strncmp(tok, "delay=", 6) == 0) {
			if (mml_delay_parse(tok + 6, &delay_of->delay,
					    &delay_of->delay_amount))
				return fail(l, "delay: '%s' is not none, spin[:N], "
					       "yield or sleep[:NS]", tok + 6);
		} else {
			return fail(l, "unexpected '%s'", tok);
		}
	}
	return 0;
}

/* "N REST": an index that must be the next one, then the rest. */
static char *indexed(const struct line *l, char *v, unsigned expected,
		     const char *what)
{
	char *space = v + strcspn(v, " \t");
	char *rest = space + strspn(space, " \t");
	if (*space)
		*space = 0;
	uint64_t n;
	if (mml_parse_number(v, UINT32_MAX, &n) || n != expected) {
		fail(l, "%s '%s': expected %s %u here", what, v, what, expected);
		return NULL;
	}
	return rest;
}

struct parse {
	struct mml_program *p;
	bool ops_given, readers_given;
};

static int op_line(struct parse *ps, const struct line *l, char *v)
{
	struct mml_program *p = ps->p;
	if (!ps->ops_given)
		p->nops = 0;
	ps->ops_given = true;
	if (p->nops == MML_MAX_OPS)
		return fail(l, "at most %d ops", MML_MAX_OPS);
	char *spec = indexed(l, v, p->nops + 1, "op");
	if (!spec)
		return -1;
	if (mml_op_parse(spec, p->pages, &p->ops[p->nops]))
		return fail(l, "cannot parse the op '%s'", spec);
	p->nops++;
	return 0;
}

static int reader_line(struct parse *ps, const struct line *l, char *v)
{
	struct mml_program *p = ps->p;
	if (!ps->readers_given)
		p->nreaders = 0;
	ps->readers_given = true;
	if (p->nreaders == MML_MAX_READERS)
		return fail(l, "at most %d readers", MML_MAX_READERS);
	char *rest = indexed(l, v, p->nreaders, "reader");
	if (!rest)
		return -1;
	char *fields = rest + strcspn(rest, " \t");
	if (*fields)
		*fields++ = 0;
	struct mml_reader *r = &p->readers[p->nreaders];
	*r = (struct mml_reader){.cpu = MML_AUTO_CPU};
	if (mml_order_parse(rest, r))
		return fail(l, "unknown read order '%s'", rest);
	p->nreaders++;
	return thread_fields(l, fields, &r->cpu, NULL);
}

static int field(struct parse *ps, const struct line *l, const char *key,
		 char *v)
{
	struct mml_program *p = ps->p;
	uint32_t order = 0;
	if (strcmp(key, "pages") == 0) {
		if (ps->ops_given)
			return fail(l, "pages must come before the ops");
		return u32_field(l, key, v, MML_MAX_PAGES, &p->pages);
	}
	if (strcmp(key, "order") == 0) {
		if (u32_field(l, key, v, 63, &order))
			return -1;
		p->page_order = order;
		return 0;
	}
	if (strcmp(key, "backing") == 0)
		return mml_backing_parse(v, &p->backing)
			       ? fail(l, "unknown backing '%s' (memfd, tmpfs, anon, hugetlb)", v)
			       : 0;
	if (strcmp(key, "populate") == 0)
		return bool_field(l, key, v, &p->populate);
	if (strcmp(key, "read-only") == 0)
		return bool_field(l, key, v, &p->read_only);
	if (strcmp(key, "share") == 0)
		return bool_field(l, key, v, &p->share);
	if (strcmp(key, "write") == 0)
		return bool_field(l, key, v, &p->write);
	if (strcmp(key, "perturb") == 0)
		return mml_perturb_parse(v, &p->perturb)
			       ? fail(l, "unknown perturber '%s' (none, fork, mmap)", v)
			       : 0;
	if (strcmp(key, "reader-yield") == 0)
		return u32_field(l, key, v, UINT32_MAX, &p->reader_yield);
	if (strcmp(key, "repeat") == 0)
		return u32_field(l, key, v, MML_MAX_REPEAT, &p->repeat);
	if (strcmp(key, "mapper") == 0)
		return thread_fields(l, v, &p->mapper_cpu, p);
	if (strcmp(key, "op") == 0)
		return op_line(ps, l, v);
	if (strcmp(key, "reader") == 0)
		return reader_line(ps, l, v);
	return fail(l, "unknown key '%s'", key);
}

/* Cuts a comment and surrounding blanks off a line, in place. */
static char *trim(char *s)
{
	s[strcspn(s, "#")] = 0;
	s += strspn(s, " \t\r");
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

int mml_program_parse(const char *text, struct mml_program *p, char *why,
		      size_t whylen)
{
	mml_program_classic(p);
	struct parse ps = {.p = p};
	char *copy = strdup(text);
	if (!copy) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	int status = 0;
	char *next = copy;
	struct line l = {0, why, whylen};
	while (next && status == 0) {
		char *s = next;
		next = strchr(s, '\n');
		if (next)
			*next++ = 0;
		l.number++;
		s = trim(s);
		if (!*s)
			continue;
		char *v = s + strcspn(s, " \t");
		if (*v)
			*v++ = 0;
		v += strspn(v, " \t");
		status = field(&ps, &l, s, v);
	}
	free(copy);
	if (status == 0 && !ps.ops_given)
		p->ops[0].hi = p->pages;
	const char *bad = status ? NULL : mml_program_check(p);
	if (bad) {
		snprintf(why, whylen, "%s", bad);
		status = -1;
	}
	return status;
}

bool mml_is_text(const unsigned char *data, size_t len)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' ||
			   data[i] == '\r'))
		i++;
	if (i == len || !(data[i] == '#' || (data[i] >= 'a' && data[i] <= 'z')))
		return false;
	for (; i < len; i++) {
		unsigned char c = data[i];
		if ((c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' && c != '\r')
			return false;
	}
	return true;
}
