#include "tap_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tap.h"

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

void tap_never(const char *what, const struct mml_config *c,
	       const struct mml_result *r, enum mml_outcome o)
{
	if (r->racing_reads >= c->min_racing) {
		ok(o == MML_OUTCOME_NEVER, what);
		return;
	}
	char skipped[256];
	snprintf(skipped, sizeof skipped, "%s # SKIP %llu racing reads in %.0f s "
		 "on this machine, below %llu", what,
		 (unsigned long long)r->racing_reads, c->seconds,
		 (unsigned long long)c->min_racing);
	ok(r->racing_reads > 0 && o == MML_OUTCOME_INCONCLUSIVE, skipped);
}
