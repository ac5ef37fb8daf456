#include "triage.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crew.h"
#include "encoding.h"
#include "json.h"
#include "ops.h"
#include "oracle.h"
#include "report.h"
#include "text.h"

enum {
	/* Inputs are at most MML_ENCODING_MAX bytes, text a few kB; a file
	 * far larger is not an input. */
	MAX_FILE = 1 << 20,
};

static const char *const verdict_names[] = {
	[MML_TRIAGE_CONFIRMED] = "confirmed finding",
	[MML_TRIAGE_UNCONFIRMED] = "finding, unconfirmed",
	[MML_TRIAGE_DISAGREEMENT] = "ORACLE DISAGREEMENT",
	[MML_TRIAGE_CONTROL] = "control fired",
	[MML_TRIAGE_NO_REPRO] = "did not reproduce",
	[MML_TRIAGE_NOT_RUN] = "not run",
	[MML_TRIAGE_PENDING] = "not replayed",
};

/* Why a file is not a program: the JSON's key and the text's words. */
static const struct {
	const char *key, *text;
} unreadable[] = {
	[MML_UNREADABLE_IO] = {"io", "unreadable or too large"},
	[MML_UNREADABLE_EMPTY] = {"empty", "empty"},
	[MML_UNREADABLE_VERSION] = {"version", "unknown version byte"},
	[MML_UNREADABLE_TEXT] = {"text", "text that does not parse"},
};

const char *mml_triage_verdict_name(enum mml_triage_verdict v)
{
	return verdict_names[v];
}

static int add_file(struct mml_triage *t, const char *path, size_t size)
{
	struct mml_triage_file *more = realloc(t->files, (t->nfiles + 1) * sizeof *more);
	char *copy = strdup(path);
	if (!more || !copy) {
		free(copy);
		if (more)
			t->files = more;
		return -1;
	}
	t->files = more;
	t->files[t->nfiles++] = (struct mml_triage_file){.path = copy, .size = size};
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* AFL++ writes a README.txt into each crashes/ directory. */
static bool not_an_input(const char *name)
{
	return name[0] == '.' || strcmp(name, "README.txt") == 0;
}

/* The entries of a directory in name order; -1 with why. */
static int entries(const char *dir, struct dirent ***names, char *why, size_t len)
{
	int n = scandir(dir, names, NULL, alphasort);
	if (n < 0)
		snprintf(why, len, "%s: %s", dir, strerror(errno));
	return n;
}

static void free_entries(struct dirent **names, int n)
{
	if (n < 0)
		return;
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The regular files of a directory, in name order. */
static int add_dir_files(struct mml_triage *t, const char *dir, char *why,
			 size_t len)
{
	struct dirent **names;
	int n = entries(dir, &names, why, len), err = n < 0 ? -1 : 0;
	for (int i = 0; i < n && !err; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		if (!not_an_input(names[i]->d_name) && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) && add_file(t, path, (size_t)st.st_size)) {
			snprintf(why, len, "out of memory");
			err = -1;
		}
	}
	free_entries(names, n);
	return err;
}

/* An AFL++ sync directory: the crashes/ of each instance under it. */
static int add_sync_dir(struct mml_triage *t, const char *dir, bool *found,
			char *why, size_t len)
{
	struct dirent **names;
	int n = entries(dir, &names, why, len), err = n < 0 ? -1 : 0;
	for (int i = 0; i < n && !err; i++) {
		char crashes[4096];
		snprintf(crashes, sizeof crashes, "%s/%s/crashes", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && is_dir(crashes)) {
			*found = true;
			err = add_dir_files(t, crashes, why, len);
		}
	}
	free_entries(names, n);
	return err;
}

int mml_triage_add_path(struct mml_triage *t, const char *path, char *why,
			size_t len)
{
	struct stat st;
	if (stat(path, &st)) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (add_file(t, path, (size_t)st.st_size) == 0)
			return 0;
		snprintf(why, len, "out of memory");
		return -1;
	}
	char crashes[4096];
	snprintf(crashes, sizeof crashes, "%s/crashes", path);
	if (is_dir(crashes))
		return add_dir_files(t, crashes, why, len);
	bool found = false;
	if (add_sync_dir(t, path, &found, why, len))
		return -1;
	return found ? 0 : add_dir_files(t, path, why, len);
}

static unsigned char *read_input(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = malloc(MAX_FILE + 1);
	size_t got = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	bool bad = ferror(f) || got > MAX_FILE;
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[got] = 0;
	*len = got;
	return buf;
}

/* Whether a binary input is shorter than its own records, whose
 * missing bytes the decoder reads as zero. */
static bool is_short(const struct mml_program *p, size_t len)
{
	uint8_t canonical[MML_ENCODING_MAX];
	const char *why;
	int full = mml_encode(p, canonical, sizeof canonical, &why);
	return full > 0 && len < (size_t)full;
}

/* The program a file holds; -1 with the reason it holds none. */
static int load(struct mml_triage_file *f, struct mml_program *p,
		enum mml_triage_unreadable *why)
{
	size_t len;
	unsigned char *data = read_input(f->path, &len);
	char reason[256];
	bool known;
	int err = -1;
	if (!data) {
		*why = MML_UNREADABLE_IO;
	} else if (len == 0) {
		*why = MML_UNREADABLE_EMPTY;
	} else if (mml_is_text(data, len)) {
		*why = MML_UNREADABLE_TEXT;
		err = mml_program_parse((const char *)data, p, reason, sizeof reason);
	} else {
		mml_decode(data, len, p, &known);
		*why = MML_UNREADABLE_VERSION;
		f->is_short = known && is_short(p, len);
		err = known ? 0 : -1;
	}
	free(data);
	return err ? -1 : 0;
}

static void decode_key(const struct mml_program *p, char *buf, size_t len)
{
	char kinds[128];
	mml_op_kinds_text(mml_program_kinds(p), kinds, sizeof kinds);
	snprintf(buf, len, "%s on %s order %u", kinds, mml_backing_name(p->backing),
		 p->page_order);
}

static int find_or_add_group(struct mml_triage *t, const char *key)
{
	for (unsigned g = 0; g < t->ngroups; g++)
		if (strcmp(t->groups[g].key, key) == 0)
			return (int)g;
	struct mml_triage_group *more = realloc(t->groups, (t->ngroups + 1) * sizeof *more);
	if (!more)
		return -1;
	t->groups = more;
	struct mml_triage_group *g = &t->groups[t->ngroups];
	memset(g, 0, sizeof *g);
	snprintf(g->key, sizeof g->key, "%s", key);
	g->verdict = MML_TRIAGE_PENDING;
	g->cls = g->blamed = -1;
	g->merged_into = t->ngroups;
	return (int)t->ngroups++;
}

void mml_triage_group(struct mml_triage *t)
{
	for (unsigned i = 0; i < t->nfiles; i++) {
		struct mml_triage_file *f = &t->files[i];
		struct mml_program p;
		enum mml_triage_unreadable why;
		f->group = UINT32_MAX;
		if (load(f, &p, &why)) {
			t->unreadable[why]++;
			continue;
		}
		t->short_files += f->is_short;
		char key[160];
		decode_key(&p, key, sizeof key);
		int g = find_or_add_group(t, key);
		if (g < 0) {
			t->unreadable[MML_UNREADABLE_IO]++;
			continue;
		}
		struct mml_triage_group *grp = &t->groups[g];
		f->group = (unsigned)g;
		if (grp->nfiles++ == 0 || f->size < t->files[grp->smallest].size) {
			grp->smallest = i;
			grp->program = p;
		}
	}
}

/* What the first firing shows: its verdict, class, the op it blames and
 * the ops its evidence rests on. */
static void classify(struct mml_triage_group *g, const struct mml_execution *x)
{
	const struct mml_result *r = &x->result;
	bool finding = mml_result_findings(r) > 0;
	if (r->disagreeing_findings)
		g->verdict = MML_TRIAGE_DISAGREEMENT;
	else if (finding)
		g->verdict = r->confirmations[MML_CONFIRMED] ? MML_TRIAGE_CONFIRMED
							     : MML_TRIAGE_UNCONFIRMED;
	else
		g->verdict = MML_TRIAGE_CONTROL;
	const struct mml_violation *v = NULL;
	if (r->disagreeing_findings) {
		v = &r->disagreement;
	} else {
		g->cls = mml_result_top_class(r, finding);
		v = mml_result_evidence_of(r, g->cls, finding);
	}
	if (v) {
		g->cls = (int)v->cls;
		if (v->op)
			g->blamed = (int)x->program.ops[v->op - 1].kind;
		if (v->op)
			g->involved |= 1u << x->program.ops[v->op - 1].kind;
		if (v->known.m)
			g->involved |= 1u << x->program.ops[v->known.m - 1].kind;
	}
	struct mml_report rep = {"", &x->program, &x->config, r};
	mml_report_answer(&rep, g->answer, sizeof g->answer);
}

static bool out_of_time(const struct mml_triage_config *c, double began)
{
	return (c->stop && *c->stop) || mml_now_seconds() - began >= c->budget;
}

/* Files of one decoding may differ in how often they fire: when the
 * smallest does not fire in its runs, the next smallest are tried. */
enum { MAX_TRIED = 3 };

/* Runs one program as replay does (seeds 1..runs), and classifies the
 * group by its first firing.  Returns the runs that fired, or -1 when the
 * run failed (g->why says why). */
static int64_t replay_program(struct mml_triage_group *g, const struct mml_program *p,
			      const struct mml_execution_env *env,
			      const struct mml_triage_config *c, double began,
			      struct mml_execution *x, uint64_t *runs)
{
	int64_t fired = 0;
	for (uint64_t seed = 1; seed <= c->runs && !out_of_time(c, began); seed++) {
		x->program = *p;
		x->capture = NULL;
		mml_program_place(&x->program);
		mml_execute_program(env, seed, x);
		if (x->status == MML_EXEC_ERROR) {
			snprintf(g->why, sizeof g->why, "%s", x->result.error);
			return -1;
		}
		++*runs;
		if (x->status == MML_EXEC_FIRED && fired++ == 0)
			classify(g, x);
	}
	return fired;
}

/* The group's files in size order, at most MAX_TRIED. */
static unsigned files_to_try(const struct mml_triage *t, unsigned gi,
			     unsigned tried[MAX_TRIED])
{
	unsigned n = 0;
	tried[n++] = t->groups[gi].smallest;
	while (n < MAX_TRIED) {
		unsigned next = UINT32_MAX;
		for (unsigned i = 0; i < t->nfiles; i++) {
			bool taken = false;
			for (unsigned k = 0; k < n; k++)
				taken |= tried[k] == i;
			if (t->files[i].group == gi && !taken &&
			    (next == UINT32_MAX || t->files[i].size < t->files[next].size))
				next = i;
		}
		if (next == UINT32_MAX)
			break;
		tried[n++] = next;
	}
	return n;
}

static void replay_group(struct mml_triage *t, unsigned gi,
			 const struct mml_execution_env *env,
			 const struct mml_triage_config *c, double began,
			 struct mml_execution *x)
{
	struct mml_triage_group *g = &t->groups[gi];
	const char *unavailable = mml_run_unavailable(&g->program);
	if (unavailable) {
		g->verdict = MML_TRIAGE_NOT_RUN;
		snprintf(g->why, sizeof g->why, "%s", unavailable);
		return;
	}
	unsigned tried[MAX_TRIED], n = files_to_try(t, gi, tried);
	uint64_t all_runs = 0;
	for (unsigned k = 0; k < n && !out_of_time(c, began); k++) {
		struct mml_program p;
		enum mml_triage_unreadable why;
		if (load(&t->files[tried[k]], &p, &why))
			continue;
		uint64_t runs = 0;
		int64_t fired = replay_program(g, &p, env, c, began, x, &runs);
		g->tried++;
		all_runs += runs;
		if (fired < 0) {
			g->verdict = MML_TRIAGE_NOT_RUN;
			return;
		}
		if (fired > 0) {
			g->smallest = tried[k];
			g->program = p;
			g->fired = (uint64_t)fired;
			g->runs = runs;
			return;
		}
	}
	g->runs = all_runs;
	if (g->runs > 0)
		g->verdict = MML_TRIAGE_NO_REPRO;
}

static bool fired(const struct mml_triage_group *g)
{
	return g->verdict <= MML_TRIAGE_CONTROL;
}

static bool same_signature(const struct mml_triage_group *a,
			   const struct mml_triage_group *b)
{
	return fired(a) && a->verdict == b->verdict && a->cls == b->cls &&
	       a->blamed == b->blamed && a->involved == b->involved &&
	       a->program.backing == b->program.backing &&
	       a->program.page_order == b->program.page_order;
}

/* Groups whose replays show one signature become one: the first keeps
 * the files, the runs and the smallest file of all. */
static void merge_groups(struct mml_triage *t)
{
	for (unsigned g = 0; g < t->ngroups; g++) {
		struct mml_triage_group *b = &t->groups[g];
		for (unsigned h = 0; h < g; h++) {
			struct mml_triage_group *a = &t->groups[h];
			if (a->merged_into != h || !same_signature(a, b))
				continue;
			b->merged_into = h;
			a->nfiles += b->nfiles;
			a->fired += b->fired;
			a->runs += b->runs;
			if (t->files[b->smallest].size < t->files[a->smallest].size) {
				a->smallest = b->smallest;
				a->program = b->program;
			}
			break;
		}
	}
}

static struct mml_triage *sort_triage;

/* The largest groups first: they are most of the night's crashes. */
static int by_files(const void *x, const void *y)
{
	const struct mml_triage_group *g = sort_triage->groups;
	unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
	if (g[a].nfiles != g[b].nfiles)
		return g[a].nfiles < g[b].nfiles ? 1 : -1;
	return a < b ? -1 : a > b;
}

void mml_triage_replay(struct mml_triage *t, const struct mml_execution_env *env,
		       const struct mml_triage_config *c)
{
	double began = mml_now_seconds();
	unsigned *order = malloc((t->ngroups + 1) * sizeof *order);
	struct mml_execution *x = malloc(sizeof *x);
	if (order && x) {
		for (unsigned g = 0; g < t->ngroups; g++)
			order[g] = g;
		sort_triage = t;
		qsort(order, t->ngroups, sizeof *order, by_files);
		for (unsigned i = 0; i < t->ngroups && !out_of_time(c, began); i++) {
			struct mml_triage_group *g = &t->groups[order[i]];
			replay_group(t, order[i], env, c, began, x);
			if (c->progress)
				fprintf(c->progress, "triage: %s: %s, %" PRIu64 " of %" PRIu64
					" runs\n", g->key, verdict_names[g->verdict],
					g->fired, g->runs);
		}
	}
	t->interrupted = c->stop && *c->stop;
	free(order);
	free(x);
	merge_groups(t);
	t->seconds = mml_now_seconds() - began;
}

void mml_triage_signature(const struct mml_triage *t, unsigned g, char *buf,
			  size_t len)
{
	const struct mml_triage_group *grp = &t->groups[g];
	if (!fired(grp) || grp->cls < 0) {
		snprintf(buf, len, "%s", grp->key);
		return;
	}
	char involved[128];
	mml_op_kinds_text(grp->involved, involved, sizeof involved);
	const char *kind = grp->verdict == MML_TRIAGE_CONTROL ? "expected" : "finding";
	snprintf(buf, len, "%s %s by %s (ops %s) on %s order %u",
		 mml_class_name((enum mml_class)grp->cls), kind,
		 grp->blamed >= 0 ? mml_op_class((enum mml_op_kind)grp->blamed)->name
				  : "the initial state",
		 involved[0] ? involved : "none", mml_backing_name(grp->program.backing),
		 grp->program.page_order);
}

void mml_triage_corpus_name(const struct mml_triage *t, unsigned g, char *buf,
			    size_t len)
{
	const struct mml_triage_group *grp = &t->groups[g];
	char kinds[128];
	if (grp->blamed >= 0)
		snprintf(kinds, sizeof kinds, "%s",
			 mml_op_class((enum mml_op_kind)grp->blamed)->name);
	else
		mml_op_kinds_text(mml_program_kinds(&grp->program), kinds, sizeof kinds);
	snprintf(buf, len, "%s-%s-o%u%s%s", kinds, mml_backing_name(grp->program.backing),
		 grp->program.page_order, fired(grp) && grp->cls >= 0 ? "-" : "",
		 fired(grp) && grp->cls >= 0 ? mml_class_name((enum mml_class)grp->cls) : "");
}

static void verdict_text(const struct mml_triage_group *g, char *buf, size_t len)
{
	if (g->verdict == MML_TRIAGE_NOT_RUN)
		snprintf(buf, len, "not run: %s", g->why);
	else
		snprintf(buf, len, "%s", verdict_names[g->verdict]);
}

static unsigned unreadable_total(const struct mml_triage *t)
{
	unsigned n = 0;
	for (int u = 0; u < MML_UNREADABLE_COUNT; u++)
		n += t->unreadable[u];
	return n;
}

static unsigned standing_groups(const struct mml_triage *t)
{
	unsigned n = 0;
	for (unsigned g = 0; g < t->ngroups; g++)
		n += t->groups[g].merged_into == g;
	return n;
}

static void print_unreadable(FILE *out, const struct mml_triage *t)
{
	fprintf(out, "Not programs: %u", unreadable_total(t));
	for (int u = 0; u < MML_UNREADABLE_COUNT; u++)
		if (t->unreadable[u])
			fprintf(out, ", %s %u", unreadable[u].text, t->unreadable[u]);
	fprintf(out, "; shorter than their records (missing bytes read as zero): %u\n",
		t->short_files);
}

void mml_triage_markdown(FILE *out, const struct mml_triage *t)
{
	unsigned groups = standing_groups(t);
	fprintf(out, "Triage of %u file%s: %u group%s, replays %.1fs%s\n", t->nfiles,
		t->nfiles == 1 ? "" : "s", groups, groups == 1 ? "" : "s", t->seconds,
		t->interrupted ? ", interrupted" : "");
	print_unreadable(out, t);
	fprintf(out, "\n| group | signature | files | rate | verdict | smallest file | corpus name |\n"
		"|---|---|---|---|---|---|---|\n");
	unsigned n = 0;
	for (unsigned g = 0; g < t->ngroups; g++) {
		const struct mml_triage_group *grp = &t->groups[g];
		if (grp->merged_into != g)
			continue;
		char sig[256], verdict[300], name[200];
		mml_triage_signature(t, g, sig, sizeof sig);
		verdict_text(grp, verdict, sizeof verdict);
		mml_triage_corpus_name(t, g, name, sizeof name);
		fprintf(out, "| %u | %s | %u | %" PRIu64 "/%" PRIu64 " | %s | `%s` | `%s` |\n",
			++n, sig, grp->nfiles, grp->fired, grp->runs, verdict,
			t->files[grp->smallest].path, name);
	}
	fprintf(out, "\n");
	n = 0;
	for (unsigned g = 0; g < t->ngroups; g++)
		if (t->groups[g].merged_into == g && ++n && t->groups[g].answer[0])
			fprintf(out, "Group %u: %s\n", n, t->groups[g].answer);
}

static json_t *kinds_json(unsigned kinds)
{
	json_t *a = json_array();
	for (int k = 0; k < MML_OP_COUNT; k++)
		if (kinds & 1u << k)
			json_array_append_new(a, json_string(mml_op_class((enum mml_op_kind)k)->name));
	return a;
}

static json_t *group_json(const struct mml_triage *t, unsigned g)
{
	const struct mml_triage_group *grp = &t->groups[g];
	char sig[256], name[200];
	mml_triage_signature(t, g, sig, sizeof sig);
	mml_triage_corpus_name(t, g, name, sizeof name);
	json_t *files = json_array();
	for (unsigned i = 0; i < t->nfiles; i++)
		if (t->files[i].group != UINT32_MAX &&
		    t->groups[t->files[i].group].merged_into == g)
			json_array_append_new(files, json_string(t->files[i].path));
	bool shown = fired(grp) && grp->cls >= 0;
	return json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:I, s:s, s:s, s:s, s:s}",
		"signature", sig, "verdict", verdict_names[grp->verdict], "files", files,
		"fired", (json_int_t)grp->fired, "runs", (json_int_t)grp->runs,
		"tried", (json_int_t)grp->tried,
		"class", shown ? json_string(mml_class_name((enum mml_class)grp->cls)) : json_null(),
		"blamed", grp->blamed >= 0 ? json_string(mml_op_class((enum mml_op_kind)grp->blamed)->name)
					   : json_null(),
		"involved", kinds_json(grp->involved),
		"kinds", kinds_json(mml_program_kinds(&grp->program)),
		"backing", mml_backing_name(grp->program.backing),
		"page_order", (json_int_t)grp->program.page_order,
		"smallest", t->files[grp->smallest].path, "corpus_name", name,
		"answer", grp->answer, "why", grp->why);
}

int mml_triage_json(FILE *out, const struct mml_triage *t)
{
	json_t *groups = json_array();
	for (unsigned g = 0; g < t->ngroups; g++)
		if (t->groups[g].merged_into == g)
			json_array_append_new(groups, group_json(t, g));
	json_t *counts = json_object();
	for (int u = 0; u < MML_UNREADABLE_COUNT; u++)
		json_object_set_new(counts, unreadable[u].key,
				    json_integer(t->unreadable[u]));
	json_t *doc = json_pack("{s:I, s:I, s:o, s:I, s:f, s:b, s:o}",
		"format", (json_int_t)MML_JSON_FORMAT, "files", (json_int_t)t->nfiles,
		"not_programs", counts, "short_files", (json_int_t)t->short_files,
		"seconds", t->seconds, "interrupted", t->interrupted, "groups", groups);
	return mml_json_write(out, doc, 0);
}

int mml_triage_status(const struct mml_triage *t)
{
	int status = 0;
	for (unsigned g = 0; g < t->ngroups; g++) {
		if (t->groups[g].verdict == MML_TRIAGE_DISAGREEMENT)
			return 3;
		if (t->groups[g].verdict == MML_TRIAGE_CONFIRMED)
			status = 1;
	}
	return status;
}

void mml_triage_free(struct mml_triage *t)
{
	for (unsigned i = 0; i < t->nfiles; i++)
		free(t->files[i].path);
	free(t->files);
	free(t->groups);
	memset(t, 0, sizeof *t);
}
