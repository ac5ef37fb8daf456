#include "json.h"

#include <jansson.h>

int mml_json_write(FILE *out, json_t *doc, int indent)
{
	if (!doc)
		return -1;
	int err = json_dumpf(doc, out, indent ? JSON_INDENT(indent) : JSON_COMPACT);
	fputc('\n', out);
	json_decref(doc);
	return err || ferror(out) ? -1 : 0;
}
