#include "merge.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oracle.h"
#include "survey.h"

/* One cell of a survey's JSON, as far as the table needs it. */
struct cell {
	const char *op, *backing, *read_order, *policy, *status, *reason;
	const char *result; /* NULL for a cell that did not run */
	json_int_t page_order, pages, iterations, racing_reads;
	json_int_t violation_iterations, findings;
	/* Whether its control fired; NULL in surveys written before the
	 * survey had controls. */
	json_t *calibrated;
	const char *program, *picture; /* its evidence files, or NULL */
	json_int_t class_iterations[MML_CLASS_COUNT], class_findings[MML_CLASS_COUNT];
};

struct survey {
	json_t *root; /* owns the strings below */
	const char *label, *kernel, *evidence_dir;
	const char *image, *accel; /* NULL when it did not run under qemu */
	json_t *read_orders;       /* NULL in surveys written before the field */
	double cell_seconds;
	uint64_t page_bytes;
	struct cell *cells;
	size_t ncells;
	size_t bad_cell; /* 1 + the index of a cell that does not load */
};

/* A row is an op over a backing and a region; it is first met in the
 * survey `in`, and its order, policy and reason are that cell's. */
struct row {
	const struct cell *first;
	const struct survey *in;
};

struct merge {
	struct survey *surveys;
	size_t nsurveys;
	struct row *rows;
	size_t nrows;
	/* The reasons of the skipped entries, numbered under the table, as
	 * they are too long for a cell. */
	const char **reasons;
	size_t nreasons;
};

/* Loading ------------------------------------------------------------------ */

/* In a survey written before cells counted their iterations with a
 * violation: at least those of the most frequent class. */
static void fill_violation_iterations(struct cell *c)
{
	json_int_t most = 0;
	for (int k = 0; k < MML_CLASS_COUNT; k++)
		if (c->class_iterations[k] > most)
			most = c->class_iterations[k];
	if (c->violation_iterations < 0)
		c->violation_iterations = most;
}

static int load_classes(struct cell *c, json_t *violations, json_error_t *e)
{
	if (!json_is_object(violations)) {
		snprintf(e->text, sizeof e->text, "violations is not an object");
		return -1;
	}
	for (int k = 0; k < MML_CLASS_COUNT; k++) {
		json_t *v = json_object_get(violations, mml_class_name((enum mml_class)k));
		if (v && json_unpack_ex(v, e, 0, "{s:I, s:I}", "iterations",
					&c->class_iterations[k], "finding",
					&c->class_findings[k]))
			return -1;
	}
	fill_violation_iterations(c);
	return 0;
}

static int load_cell(json_t *j, struct cell *c, json_error_t *e)
{
	json_t *result, *violations, *evidence = NULL;
	memset(c, 0, sizeof *c);
	c->violation_iterations = -1;
	if (json_unpack_ex(j, e, 0, "{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:I,"
			   " s:I, s:o, s?I, s?I, s?o, s?o}",
			   "op", &c->op, "backing", &c->backing, "page_order", &c->page_order,
			   "pages", &c->pages, "read_order", &c->read_order,
			   "policy", &c->policy, "status", &c->status, "reason", &c->reason,
			   "result", &result, "iterations", &c->iterations,
			   "racing_reads", &c->racing_reads, "violations", &violations,
			   "violation_iterations", &c->violation_iterations,
			   "findings", &c->findings, "calibrated", &c->calibrated,
			   "evidence", &evidence))
		return -1;
	c->result = json_string_value(result);
	if (json_is_object(evidence) &&
	    json_unpack_ex(evidence, e, 0, "{s:s, s:s}", "program", &c->program,
			   "picture", &c->picture))
		return -1;
	return load_classes(c, violations, e);
}

static int load_cells(struct survey *s, json_t *cells, json_error_t *e)
{
	s->ncells = json_array_size(cells);
	s->cells = calloc(s->ncells ? s->ncells : 1, sizeof *s->cells);
	if (!s->cells) {
		snprintf(e->text, sizeof e->text, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->ncells; i++) {
		if (load_cell(json_array_get(cells, i), &s->cells[i], e)) {
			s->bad_cell = i + 1;
			return -1;
		}
	}
	return 0;
}

/* label and qemu are mmlitmus-kernels's, in the survey it ran for a
 * kernel; a survey run by hand is named after its kernel. */
static int load_fields(struct survey *s, json_error_t *e)
{
	json_t *cells, *qemu = NULL, *evidence_dir = NULL;
	json_int_t page_bytes = 0;
	if (json_unpack_ex(s->root, e, 0, "{s:s, s:F, s:o, s?s, s?o, s?I, s?o, s?o}",
			   "kernel", &s->kernel, "cell_seconds", &s->cell_seconds,
			   "cells", &cells, "label", &s->label, "qemu", &qemu,
			   "page_bytes", &page_bytes, "evidence_dir", &evidence_dir,
			   "read_orders", &s->read_orders))
		return -1;
	if (!json_is_array(cells)) {
		snprintf(e->text, sizeof e->text, "cells is not an array");
		return -1;
	}
	if (!s->label)
		s->label = s->kernel;
	/* Surveys written before the field ran where pages were as here. */
	s->page_bytes = page_bytes > 0 ? (uint64_t)page_bytes
				       : (uint64_t)sysconf(_SC_PAGESIZE);
	s->evidence_dir = json_string_value(evidence_dir);
	if (json_is_object(qemu) &&
	    json_unpack_ex(qemu, e, 0, "{s:s, s:s}", "image", &s->image,
			   "accel", &s->accel))
		return -1;
	return load_cells(s, cells, e);
}

static int load_survey(const char *file, struct survey *s, char *err, size_t len)
{
	json_error_t e;
	FILE *in = fopen(file, "r");
	if (!in) {
		snprintf(err, len, "%s: %s", file, strerror(errno));
		return -1;
	}
	s->root = json_loadf(in, 0, &e);
	fclose(in);
	if (!s->root) {
		snprintf(err, len, "%s: line %d: %s", file, e.line, e.text);
		return -1;
	}
	if (load_fields(s, &e) == 0)
		return 0;
	if (s->bad_cell)
		snprintf(err, len, "%s: not a survey's JSON: cell %zu: %s", file,
			 s->bad_cell - 1, e.text);
	else
		snprintf(err, len, "%s: not a survey's JSON: %s", file, e.text);
	return -1;
}

static bool same_row(const struct cell *a, const struct cell *b)
{
	return strcmp(a->op, b->op) == 0 && strcmp(a->backing, b->backing) == 0 &&
	       a->page_order == b->page_order && a->pages == b->pages;
}

/* Every row of every survey, in the order they are first met. */
static int collect_rows(struct merge *m)
{
	size_t cells = 0;
	for (size_t i = 0; i < m->nsurveys; i++)
		cells += m->surveys[i].ncells;
	m->rows = calloc(cells ? cells : 1, sizeof *m->rows);
	m->reasons = calloc(cells * m->nsurveys + 1, sizeof *m->reasons);
	if (!m->rows || !m->reasons)
		return -1;
	for (size_t i = 0; i < m->nsurveys; i++) {
		const struct survey *s = &m->surveys[i];
		for (size_t j = 0; j < s->ncells; j++) {
			size_t r = 0;
			while (r < m->nrows && !same_row(m->rows[r].first, &s->cells[j]))
				r++;
			if (r == m->nrows)
				m->rows[m->nrows++] = (struct row){&s->cells[j], s};
		}
	}
	return 0;
}

static void free_merge(struct merge *m)
{
	for (size_t i = 0; i < m->nsurveys; i++) {
		free(m->surveys[i].cells);
		json_decref(m->surveys[i].root);
	}
	free(m->surveys);
	free(m->rows);
	free(m->reasons);
}

/* Folding a row's read orders ------------------------------------------------ */

/* One survey's cells of a row, together. */
struct fold {
	size_t cells, ran, nevers, fired;
	bool calibration_unknown; /* a Never from before controls */
	uint64_t iterations, racing_reads, violation_iterations;
	uint64_t class_iterations[MML_CLASS_COUNT], class_findings[MML_CLASS_COUNT];
	const char *why;              /* the first reason a cell gives */
	const struct cell *evidence;  /* the first that ran and kept some */
};

static void fold_cell(struct fold *f, const struct cell *c)
{
	f->ran++;
	f->iterations += (uint64_t)c->iterations;
	f->racing_reads += (uint64_t)c->racing_reads;
	f->violation_iterations += (uint64_t)c->violation_iterations;
	for (int k = 0; k < MML_CLASS_COUNT; k++) {
		if (!c->class_iterations[k])
			continue;
		f->class_iterations[k] += (uint64_t)c->class_iterations[k];
		f->class_findings[k] += (uint64_t)c->class_findings[k];
	}
	if (!f->evidence && c->program)
		f->evidence = c;
	if (!c->result || strcmp(c->result, "Never") != 0)
		return;
	f->nevers++;
	if (!c->calibrated)
		f->calibration_unknown = true;
	else
		f->fired += json_is_true(c->calibrated);
}

static void fold_row(const struct survey *s, const struct row *row, struct fold *f)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < s->ncells; i++) {
		const struct cell *c = &s->cells[i];
		if (!same_row(c, row->first))
			continue;
		f->cells++;
		if (!f->why && c->reason[0])
			f->why = c->reason;
		if (strcmp(c->status, "ran") == 0)
			fold_cell(f, c);
	}
}

static bool shows_a_class(const struct fold *f)
{
	for (int k = 0; k < MML_CLASS_COUNT; k++)
		if (f->class_iterations[k])
			return true;
	return false;
}

/* A row whose cells the model refuses in every survey: it is listed under
 * the table, as no kernel can run it. */
static bool refused_everywhere(const struct merge *m, const struct row *row)
{
	for (size_t i = 0; i < m->nsurveys; i++) {
		const struct survey *s = &m->surveys[i];
		for (size_t j = 0; j < s->ncells; j++)
			if (same_row(&s->cells[j], row->first) &&
			    strcmp(s->cells[j].status, "n/a") != 0)
				return false;
	}
	return true;
}

/* Text ------------------------------------------------------------------------ */

static void row_pages(const struct row *row, char *buf, size_t len)
{
	mml_survey_pages_text((uint64_t)row->first->pages, (unsigned)row->first->page_order,
			      row->in->page_bytes, buf, len);
}

static void print_interval(FILE *out, uint64_t k, uint64_t n)
{
	char interval[40];
	mml_survey_interval_text(k, n, interval, sizeof interval);
	fprintf(out, "%s", interval);
}

/* Never with the bound, the racing reads and the read orders whose
 * control fired; in bold when none did. */
static void print_never(FILE *out, const struct fold *f)
{
	char bound[16], it[16], racing[16];
	mml_survey_rate_text(mml_rate_interval(0, f->iterations).high, bound, sizeof bound);
	mml_survey_count_text(f->iterations, it, sizeof it);
	mml_survey_count_text(f->racing_reads, racing, sizeof racing);
	bool bold = !f->calibration_unknown && f->fired == 0;
	fprintf(out, " %s%s ≤%s (%s it, %s racing", bold ? "**" : "",
		bold ? "Never, uncalibrated" : "Never", bound, it, racing);
	if (!f->calibration_unknown)
		fprintf(out, "; calibrated in %zu of %zu", f->fired, f->nevers);
	fprintf(out, ")%s |", bold ? "**" : "");
}

/* The classes in the order of their names. */
static void classes_by_name(int order[MML_CLASS_COUNT])
{
	for (int i = 0; i < MML_CLASS_COUNT; i++) {
		int k = i;
		while (k > 0 && strcmp(mml_class_name((enum mml_class)order[k - 1]),
				       mml_class_name((enum mml_class)i)) > 0) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
}

/* Each class seen, with its iterations summed, the interval and the
 * evidence of the first read order that kept some. */
static void print_violations(FILE *out, const struct survey *s, const struct fold *f)
{
	int order[MML_CLASS_COUNT];
	classes_by_name(order);
	char it[16];
	mml_survey_count_text(f->iterations, it, sizeof it);
	bool every = false;
	for (int k = 0; k < MML_CLASS_COUNT; k++)
		every |= f->class_iterations[k] && f->class_iterations[k] == f->iterations;
	fprintf(out, " %s:", every ? "Always" : "Sometimes");
	const char *sep = " ";
	for (int i = 0; i < MML_CLASS_COUNT; i++) {
		int k = order[i];
		if (!f->class_iterations[k])
			continue;
		fprintf(out, "%s%s %" PRIu64 " of %s it%s", sep,
			mml_class_name((enum mml_class)k), f->class_iterations[k], it,
			f->class_findings[k] ? " FINDING" : "");
		sep = ", ";
	}
	fprintf(out, " (");
	print_interval(out, f->violation_iterations, f->iterations);
	fprintf(out, ")");
	const struct cell *e = f->evidence;
	if (e && s->evidence_dir && s->evidence_dir[0])
		fprintf(out, " ([program](%s/%s), [picture](%s/%s), %s)", s->evidence_dir,
			e->program, s->evidence_dir, e->picture, e->read_order);
	fprintf(out, " |");
}

static size_t reason_number(struct merge *m, const char *why)
{
	size_t i = 0;
	while (i < m->nreasons && strcmp(m->reasons[i], why) != 0)
		i++;
	if (i == m->nreasons)
		m->reasons[m->nreasons++] = why;
	return i + 1;
}

static void print_entry(FILE *out, struct merge *m, const struct survey *s,
			const struct fold *f)
{
	if (!f->cells)
		fprintf(out, " not in this survey |");
	else if (!f->ran && !f->why)
		fprintf(out, " skipped |");
	else if (!f->ran)
		fprintf(out, " skipped (%zu) |", reason_number(m, f->why));
	else if (shows_a_class(f))
		print_violations(out, s, f);
	else if (f->nevers)
		print_never(out, f);
	else {
		char it[16];
		mml_survey_count_text(f->iterations, it, sizeof it);
		fprintf(out, " Inconclusive (%s it) |", it);
	}
}

static void print_row(FILE *out, struct merge *m, const struct row *row)
{
	char pages[32];
	row_pages(row, pages, sizeof pages);
	fprintf(out, "| %s | %s | %s | %s |", row->first->op, row->first->policy,
		row->first->backing, pages);
	for (size_t i = 0; i < m->nsurveys; i++) {
		struct fold f;
		fold_row(&m->surveys[i], row, &f);
		print_entry(out, m, &m->surveys[i], &f);
	}
	fprintf(out, "\n");
}

static size_t cells_ran(const struct survey *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ncells; i++)
		n += strcmp(s->cells[i].status, "ran") == 0;
	return n;
}

/* Whether a survey before survey i, or survey i before its read order j,
 * has the read order name. */
static bool order_seen(const struct merge *m, size_t i, size_t j, const char *name)
{
	for (size_t i2 = 0; i2 <= i; i2++) {
		json_t *orders = m->surveys[i2].read_orders;
		size_t upto = i2 < i ? json_array_size(orders) : j;
		for (size_t j2 = 0; j2 < upto; j2++) {
			const char *other = json_string_value(json_array_get(orders, j2));
			if (other && strcmp(other, name) == 0)
				return true;
		}
	}
	return false;
}

/* The read orders of every survey, each once. */
static void print_read_orders(FILE *out, const struct merge *m)
{
	const char *sep = "";
	for (size_t i = 0; i < m->nsurveys; i++) {
		json_t *orders = m->surveys[i].read_orders;
		for (size_t j = 0; j < json_array_size(orders); j++) {
			const char *name = json_string_value(json_array_get(orders, j));
			if (!name || order_seen(m, i, j, name))
				continue;
			fprintf(out, "%s%s", sep, name);
			sep = ", ";
		}
	}
	if (!sep[0])
		fprintf(out, "all");
}

/* Who each column is, how it ran, and how a cell folds its read orders. */
static void print_header(FILE *out, const struct merge *m)
{
	bool tcg = false;
	for (size_t i = 0; i < m->nsurveys; i++) {
		const struct survey *s = &m->surveys[i];
		fprintf(out, "* **%s**: Linux %s, ", s->label, s->kernel);
		if (s->accel) {
			fprintf(out, "%s under qemu (", s->image);
			for (const char *a = s->accel; *a; a++)
				fputc(toupper((unsigned char)*a), out);
			fprintf(out, ")");
		} else {
			fprintf(out, "the host");
		}
		fprintf(out, "; %zu cells of %.2f s.\n", cells_ran(s), s->cell_seconds);
		tcg |= s->accel && strcmp(s->accel, "tcg") == 0;
	}
	if (tcg)
		fprintf(out, "* TCG: under TCG the guest's TLB is qemu's software TLB: "
			"results test the kernel's logic (locking, zap and flush "
			"ordering), not the hardware's TLB.\n");
	fprintf(out, "* A cell folds that kernel's cells of the row, one per read order (");
	print_read_orders(out, m);
	fprintf(out, "): their iterations summed; Never, with the racing reads summed, "
		"when no read order showed a violation and one was Never (Inconclusive "
		"when none was), with the 95 %% bound on the rate (3/it) and the read "
		"orders whose control fired (**Never, uncalibrated** in bold when none "
		"did); else each class seen, with the iterations that showed it summed "
		"over the read orders, out of all the iterations, the 95 %% interval of "
		"the rate of iterations with a violation (Wilson), FINDING when any was "
		"a finding, Always when a class showed in every iteration, and the "
		"program and picture of the first read order that showed one. The time "
		"to the first violation is left out; each survey's JSON (--json-file) "
		"has it per read order.\n\n");
}

static void print_table(FILE *out, struct merge *m)
{
	fprintf(out, "| op | policy | backing | pages |");
	for (size_t i = 0; i < m->nsurveys; i++)
		fprintf(out, " %s |", m->surveys[i].label);
	fprintf(out, "\n|---|---|---|---|");
	for (size_t i = 0; i < m->nsurveys; i++)
		fprintf(out, "---|");
	fprintf(out, "\n");
	for (size_t r = 0; r < m->nrows; r++)
		if (!refused_everywhere(m, &m->rows[r]))
			print_row(out, m, &m->rows[r]);
}

/* Whether two surveys' intervals of the row do not overlap. */
static bool rates_apart(const struct merge *m, const struct row *row)
{
	struct fold a, b;
	for (size_t i = 0; i < m->nsurveys; i++) {
		fold_row(&m->surveys[i], row, &a);
		for (size_t j = 0; a.ran && j < m->nsurveys; j++) {
			fold_row(&m->surveys[j], row, &b);
			if (b.ran && mml_rate_interval(a.violation_iterations, a.iterations).high <
				     mml_rate_interval(b.violation_iterations, b.iterations).low)
				return true;
		}
	}
	return false;
}

/* The differences the counts bear: each such row with every survey's
 * interval. */
static void print_rates_apart(FILE *out, const struct merge *m)
{
	bool any = false;
	for (size_t r = 0; r < m->nrows; r++) {
		const struct row *row = &m->rows[r];
		if (!rates_apart(m, row))
			continue;
		if (!any)
			fprintf(out, "\nRates that differ: rows whose 95 %% intervals of the "
				"rate of iterations with a violation do not overlap between "
				"two kernels, each kernel's interval given:\n\n");
		any = true;
		char pages[32];
		row_pages(row, pages, sizeof pages);
		fprintf(out, "* %s over %s %s:", row->first->op, row->first->backing, pages);
		const char *sep = " ";
		for (size_t i = 0; i < m->nsurveys; i++) {
			struct fold f;
			fold_row(&m->surveys[i], row, &f);
			if (!f.ran)
				continue;
			fprintf(out, "%s%s ", sep, m->surveys[i].label);
			print_interval(out, f.violation_iterations, f.iterations);
			sep = ", ";
		}
		fprintf(out, "\n");
	}
}

static void print_reasons(FILE *out, const struct merge *m)
{
	if (m->nreasons)
		fprintf(out, "\nSkipped:\n\n");
	for (size_t i = 0; i < m->nreasons; i++)
		fprintf(out, "%zu. %s\n", i + 1, m->reasons[i]);
}

/* The rows no kernel can run, grouped by the model's reason. */
static void print_refused(FILE *out, const struct merge *m)
{
	const char *group_sep = "\nNot in the table, as the program model refuses "
				"them on every kernel: ";
	for (size_t r = 0; r < m->nrows; r++) {
		const char *why = m->rows[r].first->reason;
		bool listed = false;
		for (size_t r2 = 0; r2 < r && !listed; r2++)
			listed = refused_everywhere(m, &m->rows[r2]) &&
				 strcmp(m->rows[r2].first->reason, why) == 0;
		if (listed || !refused_everywhere(m, &m->rows[r]))
			continue;
		fprintf(out, "%s", group_sep);
		const char *sep = "";
		for (size_t r2 = r; r2 < m->nrows; r2++) {
			const struct row *row = &m->rows[r2];
			if (strcmp(row->first->reason, why) != 0 || !refused_everywhere(m, row))
				continue;
			char pages[32];
			row_pages(row, pages, sizeof pages);
			fprintf(out, "%s%s over %s at %s", sep, row->first->op,
				row->first->backing, pages);
			sep = ", ";
		}
		fprintf(out, " (%s)", why);
		group_sep = "; ";
	}
	if (group_sep[0] == ';')
		fprintf(out, ".\n");
}

static bool any_finding(const struct merge *m)
{
	for (size_t i = 0; i < m->nsurveys; i++)
		for (size_t j = 0; j < m->surveys[i].ncells; j++)
			if (strcmp(m->surveys[i].cells[j].status, "ran") == 0 &&
			    m->surveys[i].cells[j].findings > 0)
				return true;
	return false;
}

static int load_all(struct merge *m, const char *const *files, size_t nfiles,
		    char *err, size_t len)
{
	m->surveys = calloc(nfiles ? nfiles : 1, sizeof *m->surveys);
	if (!m->surveys) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	while (m->nsurveys < nfiles) {
		struct survey *s = &m->surveys[m->nsurveys++];
		if (load_survey(files[m->nsurveys - 1], s, err, len))
			return -1;
	}
	if (collect_rows(m)) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	return 0;
}

static int print_merge(FILE *out, struct merge *m, char *err, size_t len)
{
	print_header(out, m);
	print_table(out, m);
	print_rates_apart(out, m);
	print_reasons(out, m);
	print_refused(out, m);
	if (fflush(out) || ferror(out)) {
		snprintf(err, len, "cannot write the table");
		return -1;
	}
	return any_finding(m);
}

int mml_survey_merge(FILE *out, const char *const *files, size_t nfiles,
		     char *err, size_t len)
{
	struct merge m = {0};
	int code = load_all(&m, files, nfiles, err, len);
	if (code == 0)
		code = print_merge(out, &m, err, len);
	free_merge(&m);
	return code;
}
