#include "tap_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void tap_report(const char *name, const struct mml_program *p,
		const struct mml_config *c, const struct mml_result *r)
{
	struct mml_report rep = {name, p, c, r};
	fflush(stdout);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	mml_report_text(mem, &rep);
	fclose(mem);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		printf("# %s\n", line);
	free(text);
}
