/* libFuzzer target for the decoder and the text form alone, built with
 * ASan and UBSan: every input decodes to a valid program, re-encodes to
 * bytes that decode to the same program, and its text parses back to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "text.h"

static char first[16384], second[16384];

static void expect(int holds, const char *what)
{
	if (!holds) {
		fprintf(stderr, "decoder property broken: %s\n%s\n---\n%s", what,
			first, second);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mml_program p, q;
	mml_decode(data, size, &p, NULL);
	expect(mml_program_check(&p) == NULL, "decoded program is valid");
	mml_program_format(&p, first, sizeof first);

	uint8_t bytes[MML_ENCODING_MAX];
	const char *why;
	int len = mml_encode(&p, bytes, sizeof bytes, &why);
	expect(len > 0, "decoded program encodes");
	mml_decode(bytes, (size_t)len, &q, NULL);
	mml_program_format(&q, second, sizeof second);
	expect(strcmp(first, second) == 0, "encode then decode is the identity");

	char reason[256];
	expect(mml_program_parse(first, &q, reason, sizeof reason) == 0,
	       "canonical text parses");
	mml_program_format(&q, second, sizeof second);
	expect(strcmp(first, second) == 0, "text round trip is the identity");
	return 0;
}
