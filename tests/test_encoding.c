/* Program forms and what the fuzz targets build on them: the total binary
 * decoder and the canonical encoder, the text form, the execution's caps
 * and admission, and the behavioural feedback slots.
 *
 * Random inputs come from a seeded xorshift, so a failure reproduces.
 * Nothing here runs a litmus program.  Output is TAP. */
#include <stdbool.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crew.h"
#include "encoding.h"
#include "execution.h"
#include "feedback.h"
#include "ops.h"
#include "program.h"
#include "text.h"
#include "tap.h"

enum {
	TEXT_MAX = 16384, /* well above 64 op lines and 64 reader lines */
	PREFIX_BUFFER = 2000,
	RANDOM_INPUTS = 200000,
	RANDOM_MAX_LEN = 1200,
	ROUND_TRIPS = 20000,
	GUARDED_LENGTHS = 200,
	WHY_MAX = 256,
};


/* ---- helpers ---- */

static uint64_t rng_state;

static void seed_random(uint64_t seed)
{
	rng_state = seed;
}

/* xorshift64: any fixed generator will do, as long as runs repeat. */
static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)next_random();
}

/* A random input of 0..max bytes.  Random page counts are almost always
 * in the millions; every other input gets 1..8 pages instead, where the
 * reductions into small regions (one page, a stride on two) come up. */
static size_t random_input(uint8_t *buf, size_t max)
{
	size_t len = (size_t)(next_random() % (max + 1));
	fill_random(buf, len);
	if (len >= 4 && next_random() % 2) {
		buf[1] %= 8; /* pages - 1, low byte */
		buf[2] = 0;
		buf[3] = 0;
	}
	return len;
}

/* NULL when the decoded program has every property the decoder promises,
 * else the first one it breaks. */
static const char *decode_problem(const struct mml_program *p)
{
	if (mml_program_check(p))
		return mml_program_check(p);
	if (p->pages > MML_MAX_PAGES)
		return "too many pages";
	if (p->nops < 1 || p->nops > MML_MAX_OPS)
		return "op count out of range";
	if (p->nreaders < 1 || p->nreaders > MML_MAX_READERS)
		return "reader count out of range";
	for (unsigned i = 0; i < p->nops; i++)
		if (p->ops[i].lo >= p->ops[i].hi || p->ops[i].hi > p->pages)
			return "an op range is empty or leaves the region";
	return NULL;
}

static bool decodes_valid(const uint8_t *data, size_t len)
{
	struct mml_program p;
	mml_decode(data, len, &p, NULL);
	const char *problem = decode_problem(&p);
	if (problem)
		printf("# %zu bytes: %s\n", len, problem);
	return problem == NULL;
}

static void decode_text(const uint8_t *data, size_t len, char *text)
{
	struct mml_program p;
	mml_decode(data, len, &p, NULL);
	mml_program_format(&p, text, TEXT_MAX);
}

static bool same_text(const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return true;
	printf("# got:\n%s# want:\n%s", got, want);
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The prefix buffer, the same bytes for every test that uses it. */
static void prefix_buffer(uint8_t buf[PREFIX_BUFFER])
{
	seed_random(0x5eed0001);
	fill_random(buf, PREFIX_BUFFER);
}

/* ---- 1. decoder totality ---- */

static void test_empty_input(void)
{
	ok(decodes_valid(NULL, 0), "the empty input decodes to a valid program");
}

static void test_one_byte(void)
{
	bool all = true;
	for (int b = 0; b < 256; b++) {
		uint8_t byte = (uint8_t)b;
		all &= decodes_valid(&byte, 1);
	}
	ok(all, "every one-byte input decodes to a valid program");
}

static void test_every_prefix(void)
{
	uint8_t buf[PREFIX_BUFFER];
	prefix_buffer(buf);
	bool all = true;
	for (size_t len = 0; len <= PREFIX_BUFFER; len++)
		all &= decodes_valid(buf, len);
	ok(all, "every prefix of a 2000-byte random buffer decodes to a valid program");
}

/* All ones ask for the largest region and the most ops and readers. */
static void test_all_ones(void)
{
	static const size_t lengths[] = {1, 4, 21, 22, 23, 100, MML_ENCODING_MAX,
					 MML_ENCODING_MAX + 500};
	uint8_t buf[MML_ENCODING_MAX + 500];
	memset(buf, 0xff, sizeof buf);
	bool all = true;
	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
		all &= decodes_valid(buf, lengths[i]);
	struct mml_program p;
	mml_decode(buf, MML_ENCODING_MAX, &p, NULL);
	all &= p.pages == MML_MAX_PAGES && p.nops == MML_MAX_OPS &&
	       p.nreaders == MML_MAX_READERS;
	ok(all, "all-0xff inputs of several lengths decode to valid programs at the maxima");
}

static void test_random_inputs(void)
{
	static uint8_t buf[RANDOM_MAX_LEN];
	seed_random(0x5eed0002);
	bool all = true;
	for (int i = 0; i < RANDOM_INPUTS && all; i++) {
		size_t len = random_input(buf, RANDOM_MAX_LEN);
		all &= decodes_valid(buf, len);
	}
	ok(all, "200000 random inputs of 0..1200 bytes decode to valid programs");
}

/* The input ends where an inaccessible page begins: a read past its end
 * kills the test instead of reading garbage. */
static void test_no_read_past_end(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (two == MAP_FAILED || mprotect(two + page, page, PROT_NONE) < 0) {
		printf("Bail out! cannot map a guard page\n");
		exit(1);
	}
	uint8_t *end = two + page;
	seed_random(0x5eed0003);
	bool all = true;
	for (size_t len = 0; len <= GUARDED_LENGTHS; len++) {
		/* All ones make the decoder want every record; random bytes
		 * take the other paths. */
		memset(end - len, 0xff, len);
		all &= decodes_valid(end - len, len);
		fill_random(end - len, len);
		all &= decodes_valid(end - len, len);
	}
	munmap(two, 2 * page);
	ok(all, "inputs of 0..200 bytes ending at a PROT_NONE page decode without reading past the end");
}

/* ---- 2. truncation ---- */

static void test_missing_bytes_are_zero(void)
{
	uint8_t buf[PREFIX_BUFFER];
	prefix_buffer(buf);
	static uint8_t padded[MML_ENCODING_MAX];
	static char short_text[TEXT_MAX], padded_text[TEXT_MAX];
	bool all = true;
	for (size_t len = 0; len <= MML_ENCODING_MAX && all; len++) {
		memset(padded, 0, sizeof padded);
		memcpy(padded, buf, len);
		decode_text(buf, len, short_text);
		decode_text(padded, sizeof padded, padded_text);
		all &= same_text(short_text, padded_text);
	}
	ok(all, "a prefix decodes as that prefix padded with zeros to MML_ENCODING_MAX");
}

/* ---- 3. binary round trip ---- */

static void test_round_trip(void)
{
	static uint8_t input[MML_ENCODING_MAX], once[MML_ENCODING_MAX],
		twice[MML_ENCODING_MAX];
	static char before[TEXT_MAX], after[TEXT_MAX];
	bool encodes = true, same_program = true, same_bytes = true, sized = true;
	seed_random(0x5eed0004);
	for (int i = 0; i < ROUND_TRIPS; i++) {
		size_t len = random_input(input, MML_ENCODING_MAX);
		struct mml_program p, q, r;
		mml_decode(input, len, &p, NULL);
		const char *why;
		int n1 = mml_encode(&p, once, sizeof once, &why);
		if (n1 < 0) {
			printf("# encode refused a decoded program: %s\n", why);
			encodes = false;
			break;
		}
		sized &= (size_t)n1 == MML_ENCODING_HEADER + p.nops * MML_ENCODING_OP +
					       p.nreaders * MML_ENCODING_READER;
		mml_decode(once, (size_t)n1, &q, NULL);
		mml_program_format(&p, before, sizeof before);
		mml_program_format(&q, after, sizeof after);
		same_program &= strcmp(before, after) == 0;
		mml_decode(once, (size_t)n1, &r, NULL);
		int n2 = mml_encode(&r, twice, sizeof twice, &why);
		same_bytes &= n2 == n1 && memcmp(once, twice, (size_t)n1) == 0;
	}
	ok(encodes, "mml_encode accepts every decoded program");
	ok(sized, "the encoding is the header plus one record per op and reader");
	ok(same_program, "decode(encode(p)) formats to the same text as p");
	ok(same_bytes, "encode(decode(encode(p))) is byte-identical to encode(p)");
}

static void test_version_written(void)
{
	struct mml_program p;
	mml_program_classic(&p);
	uint8_t buf[MML_ENCODING_MAX];
	const char *why;
	int n = mml_encode(&p, buf, sizeof buf, &why);
	bool known = false;
	unsigned version = n > 0 ? mml_decode(buf, (size_t)n, &p, &known) : 0;
	ok(n > 0 && buf[0] == MML_ENCODING_V2 && known && version == MML_ENCODING_V2,
	   "encoding writes version 2 and decoding reports it known");
}

static void test_unknown_version(void)
{
	uint8_t buf[PREFIX_BUFFER];
	prefix_buffer(buf);
	static char as_unknown[TEXT_MAX], as_newest[TEXT_MAX];
	buf[0] = 0x77;
	struct mml_program p;
	bool known = true;
	unsigned version = mml_decode(buf, MML_ENCODING_MAX, &p, &known);
	mml_program_format(&p, as_unknown, sizeof as_unknown);
	buf[0] = MML_ENCODING_NEWEST;
	decode_text(buf, MML_ENCODING_MAX, as_newest);
	ok(!known && version == MML_ENCODING_NEWEST && same_text(as_unknown, as_newest),
	   "an unknown version byte 0x77 is not known and reads as the newest version");
}

static void test_version_zero(void)
{
	struct mml_program p;
	bool known = true;
	unsigned version = mml_decode(NULL, 0, &p, &known);
	ok(!known && version == MML_ENCODING_NEWEST,
	   "version byte 0, as in the empty input, is not known and reads as the newest version");
}

static void test_encode_refuses(void)
{
	struct mml_program p;
	mml_program_classic(&p);
	uint8_t buf[MML_ENCODING_MAX];
	const char *why = NULL;
	bool short_refused = mml_encode(&p, buf, MML_ENCODING_HEADER, &why) == -1 &&
			     why && *why;
	p.ops[0].hi = p.pages + 1;
	why = NULL;
	bool invalid_refused = mml_encode(&p, buf, sizeof buf, &why) == -1 && why && *why;
	ok(short_refused && invalid_refused,
	   "encode refuses a short buffer and an invalid program, with a reason");
}

/* ---- 4. stability ---- */

/* Written from the layout in encoding.c, field by field: if the decoder
 * ever reads these bytes differently, old corpus files change meaning. */
static const uint8_t golden[] = {
	0x01,                   /* version 1 */
	0x0f, 0x00, 0x00,       /* pages - 1 = 15 */
	0x00,                   /* page order 0 */
	0x02,                   /* backing anon */
	0x02,                   /* flags: populate, share */
	0x01,                   /* delay spin */
	0xf4, 0x01, 0x00, 0x00, /* delay amount 500 */
	0x07, 0x00, 0x00, 0x00, /* reader-yield 7 */
	0x03, 0x00,             /* mapper cpu 1 */
	0x09, 0x00,             /* repeat - 1 = 9 */
	0x02,                   /* nops - 1 = 2 */
	0x01,                   /* nreaders - 1 = 1 */
	/* op 1: mremap of pages 4-8 to tmpfs */
	0x02, 0x04, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00,
	/* op 2: piecewise over 0-16 to memfd, descending */
	0x05, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* op 3: mprotect of page 2 to read */
	0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	/* reader 0: stride - 1 = 4, unpinned */
	0x03, 0x04, 0x00, 0x00, 0x01, 0x00,
	/* reader 1: single page 9, placed automatically */
	0x05, 0x09, 0x00, 0x00, 0x00, 0x00,
};

static const char golden_text[] =
	"pages 16\n"
	"order 0\n"
	"backing anon\n"
	"populate 1\n"
	"mapper cpu=1 delay=spin:500\n"
	"op 1 mremap:4-8:tmpfs\n"
	"op 2 piecewise:0-16:memfd:desc\n"
	"op 3 mprotect:2-3:read\n"
	"reader 0 stride:5 cpu=any\n"
	"reader 1 single:9 cpu=auto\n"
	"reader-yield 7\n"
	"share 1\n"
	"write 0\n"
	"perturb none\n"
	"repeat 10\n";

/* The same program in version 2: one more header byte (the perturber),
 * one more op byte (the mremap alignment), and the direction moved into
 * the op's flag byte. */
static const uint8_t golden_v2[] = {
	0x02,                   /* version 2 */
	0x0f, 0x00, 0x00,       /* pages / folio - 1 = 15 */
	0x00,                   /* page order 0 */
	0x02,                   /* backing anon */
	0x02,                   /* flags: populate, share, no writes */
	0x01,                   /* delay spin */
	0xf4, 0x01, 0x00, 0x00, /* delay amount 500 */
	0x07, 0x00, 0x00, 0x00, /* reader-yield 7 */
	0x03, 0x00,             /* mapper cpu 1 */
	0x09, 0x00,             /* repeat - 1 = 9 */
	0x02,                   /* nops - 1 = 2 */
	0x01,                   /* nreaders - 1 = 1 */
	0x00,                   /* no perturber */
	/* op 1: mremap of pages 4-8 to tmpfs, pte-aligned */
	0x02, 0x04, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	/* op 2: piecewise over 0-16 to memfd, descending */
	0x05, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	/* op 3: mprotect of page 2 to read */
	0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	/* reader 0: stride - 1 = 4, unpinned */
	0x03, 0x04, 0x00, 0x00, 0x01, 0x00,
	/* reader 1: single page 9, placed automatically */
	0x05, 0x09, 0x00, 0x00, 0x00, 0x00,
};

static void test_golden_decode(void)
{
	static char text[TEXT_MAX];
	decode_text(golden, sizeof golden, text);
	ok(same_text(text, golden_text), "the version 1 golden bytes decode to the golden text");
	decode_text(golden_v2, sizeof golden_v2, text);
	ok(same_text(text, golden_text), "the version 2 golden bytes decode to the golden text");
}

static void test_golden_encode(void)
{
	struct mml_program p;
	mml_decode(golden, sizeof golden, &p, NULL);
	uint8_t buf[MML_ENCODING_MAX];
	const char *why;
	int n = mml_encode(&p, buf, sizeof buf, &why);
	ok(n == (int)sizeof golden_v2 && memcmp(buf, golden_v2, sizeof golden_v2) == 0,
	   "the golden program encodes to the version 2 golden bytes");
}

/* Every field out of its range, reduced as the decoder documents. */
static const uint8_t out_of_range[] = {
	0x01,                   /* version 1 */
	0x0f, 0x00, 0x00,       /* pages - 1 = 15 */
	0x03,                   /* page order 3: version 1 reads 0 */
	0x05,                   /* backing 5 % 3 = anon */
	0xff,                   /* flags: no populate, share */
	0x06,                   /* delay 6 % 4 = yield: the amount is dropped */
	0xe7, 0x03, 0x00, 0x00, /* delay amount 999 */
	0xff, 0xff, 0xff, 0xff, /* reader-yield 4294967295 */
	0xff, 0xff,             /* mapper cpu (65535 - 2) % 1024 = 1021 */
	0xff, 0xff,             /* repeat 65536 */
	0x41,                   /* nops 1 + 65 % 64 = 2 */
	0x40,                   /* nreaders 1 + 64 % 64 = 1 */
	/* op 1: kind 6 % 6 = mapfixed, lo 20 % 16 = 4,
	 * length 1 + 100 % 12 = 5, backing 4 % 3 = tmpfs */
	0x06, 0x14, 0x00, 0x00, 0x64, 0x00, 0x00, 0x04, 0x03, 0x03,
	/* op 2: kind 10 % 6 = mprotect, lo 15, length 1, prot 3 % 2 = read */
	0x0a, 0x0f, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x03, 0x00,
	/* reader 0: order 9 % 6 = stride, 1 + (2^24 - 1) % 15 = 1, cpu 0 */
	0x09, 0xff, 0xff, 0xff, 0x02, 0x00,
};

static const char out_of_range_text[] =
	"pages 16\n"
	"order 0\n"
	"backing anon\n"
	"populate 0\n"
	"mapper cpu=1021 delay=yield\n"
	"op 1 mapfixed:4-9:tmpfs\n"
	"op 2 mprotect:15-16:read\n"
	"reader 0 stride:1 cpu=0\n"
	"reader-yield 4294967295\n"
	"share 1\n"
	"write 0\n"
	"perturb none\n"
	"repeat 65536\n";

static void test_out_of_range_reduced(void)
{
	static char text[TEXT_MAX];
	decode_text(out_of_range, sizeof out_of_range, text);
	ok(same_text(text, out_of_range_text),
	   "out-of-range fields are reduced into their ranges, not refused");
}

static void test_stride_on_one_page(void)
{
	uint8_t buf[MML_ENCODING_HEADER + MML_ENCODING_OP + MML_ENCODING_READER] = {0};
	buf[0] = MML_ENCODING_V2; /* pages - 1 = 0: one page */
	buf[MML_ENCODING_HEADER + MML_ENCODING_OP] = MML_ORDER_STRIDE;
	struct mml_program p;
	mml_decode(buf, sizeof buf, &p, NULL);
	ok(p.pages == 1 && p.readers[0].order == MML_ORDER_ASC &&
	   mml_program_check(&p) == NULL,
	   "a stride reader on a one-page region decodes as ascending");
}

/* ---- 5. text form ---- */

static void test_text_round_trip(void)
{
	static uint8_t input[MML_ENCODING_MAX];
	static char first[TEXT_MAX], second[TEXT_MAX], why[WHY_MAX];
	bool all = true;
	seed_random(0x5eed0005);
	for (int i = 0; i < ROUND_TRIPS && all; i++) {
		size_t len = random_input(input, MML_ENCODING_MAX);
		decode_text(input, len, first);
		struct mml_program p;
		if (mml_program_parse(first, &p, why, sizeof why)) {
			printf("# parse refused the canonical text: %s\n%s", why, first);
			all = false;
			break;
		}
		mml_program_format(&p, second, sizeof second);
		all &= same_text(second, first);
	}
	ok(all, "format, parse, format is the identity for decoded programs");
}

/* read-only: flags bit 3, a text line printed only when set, and refused
 * beside what needs a writable mapping. */
static void test_read_only(void)
{
	static uint8_t bytes[MML_ENCODING_MAX];
	static char text[TEXT_MAX], why[WHY_MAX];
	struct mml_program p, q;
	const char *refusal;
	mml_program_classic(&p);
	mml_program_format(&p, text, sizeof text);
	ok(!strstr(text, "read-only"), "the classic program prints no read-only line");
	p.read_only = true;
	int n = mml_encode(&p, bytes, sizeof bytes, &refusal);
	ok(n > 6 && bytes[6] == 8, "read-only alone is flags bit 3");
	mml_decode(bytes, (size_t)n, &q, NULL);
	ok(q.read_only && !q.write && q.populate, "and decodes back to read-only alone");
	mml_program_format(&p, text, sizeof text);
	ok(strstr(text, "\nread-only 1\n") && mml_program_parse(text, &q, why, sizeof why) == 0 &&
	   q.read_only, "the text form says read-only 1 and parses back");
	ok(mml_program_check(&p) == NULL, "read-only mapfixed is a valid program");
	p.write = true;
	refusal = mml_program_check(&p);
	ok(refusal && strstr(refusal, "read-only"), "read-only with writers is refused, saying why");
	p.write = false;
	p.ops[0].kind = MML_OP_REMOVE;
	refusal = mml_program_check(&p);
	ok(refusal && strstr(refusal, "read-only"), "read-only with remove is refused, saying why");
}

static void test_text_with_comments(void)
{
	const char *text =
		"# a hand-written program\r\n"
		"\r\n"
		"pages 32   # more than the classic 16\r\n"
		"   \t\r\n"
		"backing tmpfs\r\n"
		"mapper cpu=any delay=sleep:20\r\n"
		"op 1 munmap:8-16\r\n"
		"op 2 mapfixed:0-32:anon\r\n"
		"reader 0 pingpong cpu=3\r\n"
		"share 1";
	struct mml_program p;
	char why[WHY_MAX] = "";
	int rc = mml_program_parse(text, &p, why, sizeof why);
	if (rc)
		printf("# %s\n", why);
	ok(rc == 0 && p.pages == 32 && p.backing == MML_BACKING_TMPFS &&
	   p.mapper_cpu == MML_NO_CPU && p.delay == MML_DELAY_SLEEP &&
	   p.delay_amount == 20 && p.nops == 2 && p.ops[0].kind == MML_OP_MUNMAP &&
	   p.ops[0].lo == 8 && p.ops[0].hi == 16 && p.ops[1].kind == MML_OP_MAPFIXED &&
	   p.ops[1].hi == 32 && p.ops[1].backing == MML_BACKING_ANON &&
	   p.nreaders == 1 && p.readers[0].order == MML_ORDER_PINGPONG &&
	   p.readers[0].cpu == 3 && p.share && p.populate && p.repeat == 1,
	   "text with comments, blank lines and CRLF line ends parses");
}

static void test_text_defaults(void)
{
	struct mml_program p, classic;
	char why[WHY_MAX] = "";
	mml_program_classic(&classic);
	int rc = mml_program_parse("share 1\n", &p, why, sizeof why);
	ok(rc == 0 && p.pages == 16 && p.nops == 1 &&
	   p.ops[0].kind == MML_OP_MAPFIXED && p.ops[0].lo == 0 && p.ops[0].hi == 16 &&
	   p.nreaders == 1 && p.readers[0].order == MML_ORDER_ASC &&
	   p.repeat == classic.repeat && p.populate == classic.populate && p.share,
	   "fields left out keep the classic program's values");
}

static void test_text_default_op_follows_pages(void)
{
	struct mml_program p;
	char why[WHY_MAX] = "";
	int rc = mml_program_parse("pages 40\n", &p, why, sizeof why);
	ok(rc == 0 && p.nops == 1 && p.ops[0].kind == MML_OP_MAPFIXED &&
	   p.ops[0].lo == 0 && p.ops[0].hi == 40,
	   "without op lines the one mapfixed op covers the whole region");
}

/* A parse error with a "line N:" reason. */
static bool refused_at(const char *text, unsigned line)
{
	struct mml_program p;
	char why[WHY_MAX] = "", prefix[32];
	snprintf(prefix, sizeof prefix, "line %u:", line);
	int rc = mml_program_parse(text, &p, why, sizeof why);
	if (rc != -1 || !starts_with(why, prefix))
		printf("# rc %d, reason '%s', wanted '%s...'\n", rc, why, prefix);
	return rc == -1 && starts_with(why, prefix);
}

static void test_parse_errors(void)
{
	ok(refused_at("pages 8\ncolour red\n", 2), "an unknown key is refused at its line");
	ok(refused_at("pages 12x\n", 1), "a bad number is refused at its line");
	ok(refused_at("# ops\nop 2 mapfixed\n", 2), "an op index out of sequence is refused");
	ok(refused_at("op 1 mapfixed\nop 2 frobnicate:0-4\n", 2),
	   "an unknown op kind is refused");
	ok(refused_at("op 1 mapfixed\npages 8\n", 2), "pages after an op line is refused");
	ok(refused_at("mapper cpu=-3\n", 1) && refused_at("\nreader 0 asc cpu=nine\n", 2),
	   "a bad cpu value is refused");
}

static void test_parse_order_out_of_region(void)
{
	struct mml_program p;
	char why[WHY_MAX] = "";
	int rc = mml_program_parse("reader 0 single:99\n", &p, why, sizeof why);
	ok(rc == -1 && why[0] != 0, "a single reader beyond the 16 pages is refused");
}

/* ---- 6. telling text from binary ---- */

static bool is_text(const char *s, size_t len)
{
	return mml_is_text((const unsigned char *)s, len);
}

static void test_is_text(void)
{
	static char canonical[TEXT_MAX];
	struct mml_program p;
	mml_program_classic(&p);
	mml_program_format(&p, canonical, sizeof canonical);
	ok(is_text(canonical, strlen(canonical)), "canonical text is text");
	ok(is_text("# comment\npages 4\n", 18), "text starting with a comment is text");
	ok(is_text("\n\r\n  pages 4\n", 13), "text after blank lines is text");
	ok(!is_text("", 0), "the empty input is not text");
	ok(!mml_is_text(golden, sizeof golden), "binary starting with byte 1 is not text");
	ok(!is_text("pages 4\0\nshare 1\n", 17), "a NUL byte makes it binary");
	ok(!is_text("pages 4\n\x80share 1\n", 17), "a 0x80 byte makes it binary");
	ok(!is_text("16 pages\n", 9), "text starting with a digit is not text");
}

/* ---- 7. execution environment and admission ---- */

/* Every MMLITMUS_* variable, those added after this test was written too,
 * so that the defaults are the built-in ones. */
static void clear_env(void)
{
	size_t i = 0;
	while (environ[i]) {
		if (strncmp(environ[i], "MMLITMUS_", 9) != 0) {
			i++;
			continue;
		}
		char *name = strndup(environ[i], strcspn(environ[i], "="));
		if (!name) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		unsetenv(name);
		free(name);
		i = 0; /* unsetenv moved the entries */
	}
}

static unsigned kinds(const enum mml_op_kind *list, size_t n)
{
	unsigned set = 0;
	for (size_t i = 0; i < n; i++)
		set |= 1u << list[i];
	return set;
}

/* Migrate joins them on a machine with a second NUMA node. */
static const enum mml_op_kind atomic_kinds[] = {
	MML_OP_MAPFIXED, MML_OP_MREMAP, MML_OP_MPROTECT, MML_OP_GROW,
	MML_OP_PAGEOUT, MML_OP_COLLAPSE, MML_OP_MLOCK};
enum { NATOMIC = sizeof atomic_kinds / sizeof atomic_kinds[0] };

static unsigned atomic_set(void)
{
	unsigned set = kinds(atomic_kinds, NATOMIC);
	return mml_far_node() >= 0 ? set | 1u << MML_OP_MIGRATE : set;
}

/* The env with one variable set (name NULL: none). */
static int env_with(const char *name, const char *value,
		    struct mml_execution_env *env, char *why)
{
	clear_env();
	if (name)
		setenv(name, value, 1);
	why[0] = 0;
	int rc = mml_execution_env(env, why, WHY_MAX);
	clear_env();
	return rc;
}

static void test_env_defaults(void)
{
	struct mml_execution_env env;
	char why[WHY_MAX];
	int rc = env_with(NULL, NULL, &env, why);
	const struct mml_caps *c = &env.caps;
	ok(rc == 0 && c->pages == 4096 && c->readers == 4 && c->ops == 8 &&
	   c->repeat == 64 && c->delay == 100000 && c->ms == 200,
	   "default caps: 4096 pages, 4 readers, 8 ops, 64 iterations, 100000 delay, 200 ms");
	ok(rc == 0 && env.ops == atomic_set(),
	   "the default op set is exactly the atomic ops this machine can run");
}

static void test_env_op_sets(void)
{
	struct mml_execution_env env;
	char why[WHY_MAX];
	int rc = env_with("MMLITMUS_OPS", "control", &env, why);
	ok(rc == 0 && env.ops == (atomic_set() | 1u << MML_OP_PIECEWISE),
	   "MMLITMUS_OPS=control adds piecewise only");
	rc = env_with("MMLITMUS_OPS", "all", &env, why);
	ok(rc == 0 && env.ops == (1u << MML_OP_COUNT) - 1,
	   "MMLITMUS_OPS=all allows every op kind");
	rc = env_with("MMLITMUS_OPS", "munmap,dontneed", &env, why);
	ok(rc == 0 && env.ops == (1u << MML_OP_MUNMAP | 1u << MML_OP_DONTNEED),
	   "MMLITMUS_OPS=munmap,dontneed allows exactly those");
}

static bool env_refused(const char *name, const char *value)
{
	struct mml_execution_env env;
	char why[WHY_MAX];
	int rc = env_with(name, value, &env, why);
	if (rc != -1 || !strstr(why, name))
		printf("# %s=%s: rc %d, reason '%s'\n", name, value, rc, why);
	return rc == -1 && strstr(why, name);
}

static void test_env_bad_values(void)
{
	ok(env_refused("MMLITMUS_OPS", "bogus"), "MMLITMUS_OPS=bogus is refused, naming it");
	ok(env_refused("MMLITMUS_MAX_PAGES", "0"), "MMLITMUS_MAX_PAGES=0 is refused, naming it");
	ok(env_refused("MMLITMUS_MAX_PAGES", "abc"),
	   "MMLITMUS_MAX_PAGES=abc is refused, naming it");
	ok(env_refused("MMLITMUS_MAX_PAGES", "99999999999"),
	   "MMLITMUS_MAX_PAGES=99999999999 is refused, naming it");
}

/* draw.c and mutate.c rely on this: no cap above the model's own limit. */
static void test_env_caps_within_model(void)
{
	static const struct {
		const char *name;
		uint32_t limit;
	} caps[] = {{"MMLITMUS_MAX_PAGES", MML_MAX_PAGES},
		    {"MMLITMUS_MAX_READERS", MML_MAX_READERS},
		    {"MMLITMUS_MAX_OPS", MML_MAX_OPS},
		    {"MMLITMUS_MAX_REPEAT", MML_MAX_REPEAT}};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		struct mml_execution_env env;
		char why[WHY_MAX], at[16], over[16], what[96];
		snprintf(at, sizeof at, "%lu", (unsigned long)caps[i].limit);
		snprintf(over, sizeof over, "%lu", (unsigned long)caps[i].limit + 1);
		snprintf(what, sizeof what, "%s takes the model's limit %s and refuses %s",
			 caps[i].name, at, over);
		ok(env_with(caps[i].name, at, &env, why) == 0 &&
		   env_refused(caps[i].name, over), what);
	}
}

static void test_admission(void)
{
	struct mml_execution_env env;
	char why[WHY_MAX];
	env_with(NULL, NULL, &env, why);
	struct mml_program classic, p;
	mml_program_classic(&classic);
	ok(mml_execution_admit(&env, &classic) == NULL,
	   "the classic program is admitted under the defaults");

	p = classic;
	p.pages = env.caps.pages + 1;
	ok(mml_execution_admit(&env, &p) != NULL, "a program over the page cap is refused");
	p = classic;
	p.nreaders = env.caps.readers + 1;
	for (unsigned i = 0; i < p.nreaders; i++)
		p.readers[i] = classic.readers[0];
	ok(mml_execution_admit(&env, &p) != NULL, "a program over the reader cap is refused");
	p = classic;
	p.nops = env.caps.ops + 1;
	for (unsigned i = 0; i < p.nops; i++)
		p.ops[i] = classic.ops[0];
	ok(mml_execution_admit(&env, &p) != NULL, "a program over the op cap is refused");
	p = classic;
	p.repeat = env.caps.repeat + 1;
	ok(mml_execution_admit(&env, &p) != NULL, "a program over the repeat cap is refused");
	p = classic;
	p.delay = MML_DELAY_SPIN;
	p.delay_amount = env.caps.delay + 1;
	ok(mml_execution_admit(&env, &p) != NULL, "a program over the delay cap is refused");
	p = classic;
	p.ops[0].kind = MML_OP_MUNMAP;
	ok(mml_execution_admit(&env, &p) != NULL,
	   "a program with an op outside the op set is refused");
	p = classic;
	p.mapper_cpu = CPU_SETSIZE - 1;
	ok(mml_execution_admit(&env, &p) != NULL,
	   "a program pinned to a CPU this process may not use is refused");
}

/* The result is large; one zeroed copy serves every test in turn. */
static struct mml_result *zeroed_result(void)
{
	static struct mml_result r;
	memset(&r, 0, sizeof r);
	return &r;
}

static void test_fired(void)
{
	struct mml_program classic, control;
	mml_program_classic(&classic);
	mml_program_classic(&control);
	control.ops[0].kind = MML_OP_PIECEWISE;

	struct mml_result *r = zeroed_result();
	ok(!mml_fired(&classic, r) && !mml_fired(&control, r),
	   "a clean result does not fire");
	r->count[MML_NEW_THEN_STALE][1] = 1;
	ok(mml_fired(&classic, r), "a finding fires");
	r = zeroed_result();
	r->count[MML_NEW_THEN_STALE][0] = 3;
	ok(!mml_fired(&classic, r), "an expected violation alone does not fire without a control");
	ok(mml_fired(&control, r), "an expected violation fires in a program with piecewise");
}

/* Executions in one process share a crew of threads, whose roles change
 * from one to the next: the worker that was the fork perturber is a
 * reader in the next execution, and its guarded reads of a region being
 * unmapped fault.  A mask left on the worker (signals blocked for the
 * fork) made such a fault kill the process. */
static void test_crew_roles_change(void)
{
	static struct mml_execution x;
	struct mml_execution_env env;
	char why[256];
	clear_env();
	mml_execution_env(&env, why, sizeof why);
	pid_t pid = fork();
	if (pid == 0) {
		const char *programs[] = {
			"pages 16\nop 1 mapfixed\nreader 0 asc\nperturb fork\nrepeat 20\n",
			"pages 16\nop 1 munmap\nreader 0 asc\nreader 1 desc\nrepeat 50\n",
		};
		for (int i = 0; i < 2; i++) {
			if (mml_program_parse(programs[i], &x.program, why, sizeof why))
				_exit(2);
			mml_program_place(&x.program);
			mml_execute_program(&env, 1, &x);
			if (x.status == MML_EXEC_ERROR)
				_exit(3);
		}
		_exit(x.result.holes > 0 ? 0 : 4);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("# the child ended with status 0x%x\n", status);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a crew worker that forked as the perturber reads guarded in the next execution");
}

/* ---- 8. feedback ---- */

static void test_feedback(void)
{
	struct mml_result *r = zeroed_result();
	r->count[MML_NEW_THEN_STALE][1] = 5;
	r->count[MML_MISDIRECTED][0] = (uint64_t)1 << 40;
	r->sweep_values[3] = 3;
	r->holes = 1;
	r->racing_reads = 4;
	r->shared_cpu_reads = 2;
	r->early_new = UINT64_MAX;
	r->op_latency[MML_OP_MREMAP][2] = 1;
	r->op_latency[MML_OP_PIECEWISE][MML_LATENCY_BUCKETS - 1] = 1000;

	uint8_t out[MML_FEEDBACK_SIZE], want[MML_FEEDBACK_SIZE];
	memset(out, 0xaa, sizeof out); /* every slot must be written */
	memset(want, 0, sizeof want);
	want[MML_FB_VIOLATIONS + 2 * MML_NEW_THEN_STALE + 1] = 3;
	want[MML_FB_VIOLATIONS + 2 * MML_MISDIRECTED + 0] = 41;
	want[MML_FB_SWEEPS + 3] = 2;
	want[MML_FB_HOLES] = 1;
	want[MML_FB_RACING] = 3;
	want[MML_FB_SHARED_CPU] = 2;
	want[MML_FB_EARLY_NEW] = 64;
	want[MML_FB_LATENCY + MML_OP_MREMAP * MML_LATENCY_BUCKETS + 2] = 1;
	want[MML_FB_LATENCY + MML_OP_PIECEWISE * MML_LATENCY_BUCKETS +
	     MML_LATENCY_BUCKETS - 1] = 10;
	mml_feedback(r, out);

	ok(out[MML_FB_VIOLATIONS + 2 * MML_NEW_THEN_STALE + 1] == 3,
	   "a finding count of 5 gives slot value 3");
	ok(out[MML_FB_VIOLATIONS + 2 * MML_MISDIRECTED] == 41,
	   "a count of 2^40 gives slot value 41");
	ok(out[MML_FB_LATENCY + MML_OP_MREMAP * MML_LATENCY_BUCKETS + 2] == 1,
	   "an op latency count of 1 lands in its kind and bucket as 1");
	bool all = true;
	for (int i = 0; i < MML_FEEDBACK_SIZE; i++)
		if (out[i] != want[i]) {
			printf("# slot %d: %u, want %u\n", i, out[i], want[i]);
			all = false;
		}
	ok(all, "every slot holds 1 + floor(log2(count)) at its offset, all others 0");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_empty_input();
	test_one_byte();
	test_every_prefix();
	test_all_ones();
	test_random_inputs();
	test_no_read_past_end();

	test_missing_bytes_are_zero();

	test_round_trip();
	test_version_written();
	test_unknown_version();
	test_version_zero();
	test_encode_refuses();

	test_golden_decode();
	test_golden_encode();
	test_out_of_range_reduced();
	test_stride_on_one_page();

	test_text_round_trip();
	test_text_with_comments();
	test_text_defaults();
	test_text_default_op_follows_pages();
	test_parse_errors();
	test_parse_order_out_of_region();

	test_is_text();

	test_env_defaults();
	test_env_op_sets();
	test_env_bad_values();
	test_env_caps_within_model();
	test_read_only();
	test_admission();
	test_fired();
	test_crew_roles_change();

	test_feedback();
	return tap_done();
}
