#include "report.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "history.h"
#include "huge.h"
#include "json.h"
#include "opparam.h"
#include "ops.h"
#include "tag.h"
#include "text.h"
#include "writer.h"

static const char *const outcome_names[] = {
	[MML_OUTCOME_NEVER] = "Never",
	[MML_OUTCOME_SOMETIMES] = "Sometimes",
	[MML_OUTCOME_ALWAYS] = "Always",
	[MML_OUTCOME_INCONCLUSIVE] = "Inconclusive",
};

const char *mml_outcome_name(enum mml_outcome o) { return outcome_names[o]; }

/* n with a comma between thousands (97,131), for the lines a person
 * reads; the Observation line and the JSON keep plain numbers. */
static const char *grouped(uint64_t n, char buf[32])
{
	char digits[24];
	int len = snprintf(digits, sizeof digits, "%" PRIu64, n), out = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = 0;
	return buf;
}

/* A count that may run to billions, short: 78.9M, or grouped below a
 * million. */
static const char *short_count(uint64_t n, char buf[32])
{
	if (n >= 1000000000)
		snprintf(buf, 32, "%.1fG", (double)n / 1e9);
	else if (n >= 1000000)
		snprintf(buf, 32, "%.1fM", (double)n / 1e6);
	else
		grouped(n, buf);
	return buf;
}

/* The program asked for large folios, the check could tell, and the
 * region had none: a Never on base pages says nothing about huge pages. */
static bool huge_missing(const struct mml_report *rep)
{
	const struct mml_result *r = rep->result;
	return rep->program->page_order > 0 && r->huge_checks > 0 &&
	       r->huge.method != MML_HUGE_UNVERIFIED && r->huge.mapped == 0;
}

/* The kernel refused best-effort op j in every iteration: it changed
 * nothing, so nothing raced it. */
static bool op_refused(const struct mml_result *r, unsigned j)
{
	return r->iterations > 0 && r->ops[j].refusals >= r->iterations;
}

static bool op_starved(const struct mml_report *rep, unsigned j)
{
	return rep->result->ops[j].racing_reads < rep->config->min_racing;
}

/* How many ops a Never would not be earned for (doc/oracle.md, "Vacuity:
 * a Never must be earned"), and the first of them in *first.  Every op's
 * racing reads are racing reads, so an op over the threshold means the
 * whole run is over it too. */
static unsigned unearned_ops(const struct mml_report *rep, unsigned *first)
{
	unsigned n = 0;
	for (unsigned j = 1; j <= rep->program->nops; j++) {
		if (!op_refused(rep->result, j) && !op_starved(rep, j))
			continue;
		if (n++ == 0)
			*first = j;
	}
	return n;
}

enum mml_outcome mml_report_outcome(const struct mml_report *rep)
{
	const struct mml_result *r = rep->result;
	unsigned first;
	if (r->violation_iterations == 0)
		return unearned_ops(rep, &first) || huge_missing(rep)
			       ? MML_OUTCOME_INCONCLUSIVE
			       : MML_OUTCOME_NEVER;
	return r->violation_iterations == r->iterations ? MML_OUTCOME_ALWAYS
							: MML_OUTCOME_SOMETIMES;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);
	return name ? name : "an unknown error";
}

/* The first op a Never is not earned for and why, as snprintf counts. */
static int unearned_reason(const struct mml_report *rep, char *buf, size_t len)
{
	const struct mml_result *r = rep->result;
	unsigned j = 0, n = unearned_ops(rep, &j);
	if (n == 0)
		return snprintf(buf, len, "every op raced");
	const struct mml_op_result *o = &r->ops[j];
	char op[96], more[48] = "";
	mml_op_format(&rep->program->ops[j - 1], op, sizeof op);
	if (n > 1)
		snprintf(more, sizeof more, " (and %u more op%s)", n - 1,
			 n > 2 ? "s" : "");
	if (op_refused(r, j))
		return snprintf(buf, len, "op %u %s was refused by the kernel in every "
				"iteration: %s%s", j, op, errno_name(o->refusal), more);
	return snprintf(buf, len, "op %u %s: %" PRIu64 " racing reads on its %s, "
			"below the threshold of %" PRIu64 "%s", j, op, o->racing_reads,
			o->whole_range ? "range" : "pages", rep->config->min_racing, more);
}

void mml_report_inconclusive_reason(const struct mml_report *rep, char *buf,
				    size_t len)
{
	const struct mml_result *r = rep->result;
	if (huge_missing(rep)) {
		snprintf(buf, len, "no huge folios: the region was mapped by base pages, "
			 "so this run is not evidence about huge pages");
		return;
	}
	int n = unearned_reason(rep, buf, len);
	if (n < 0 || (size_t)n >= len)
		return;
	if (r->shared_cpu_sweeps == r->sweeps && r->sweeps > 0)
		snprintf(buf + n, len - (size_t)n,
			 ": every sweep ran on the mapper's CPU, so no read overlapped an op");
	else if (r->shared_cpu_sweeps > 0)
		snprintf(buf + n, len - (size_t)n,
			 ": %" PRIu64 " of %" PRIu64 " sweeps ran on the mapper's CPU",
			 r->shared_cpu_sweeps, r->sweeps);
	else if (r->iterations < 100)
		snprintf(buf + n, len - (size_t)n, ": only %" PRIu64 " iterations ran",
			 r->iterations);
}

static void value_text(uint8_t value, uint64_t raw, char *buf, size_t len)
{
	if (value == MML_V_ZERO)
		snprintf(buf, len, "ZERO");
	else if (value == MML_V_HOLE)
		snprintf(buf, len, "HOLE");
	else if (value == MML_V_BAD)
		snprintf(buf, len, "GARBAGE 0x%016" PRIx64, raw);
	else
		snprintf(buf, len, "TAG gen %u", value);
}

/* Whether op j's entry in a page's row of a history table is value:
 * j is in cand(v, p) in the value table (where MADV_FREE's alternative
 * counts too); in the landing table, a store to the page lands in the
 * value's file once j is in effect. */
static bool in_row(const struct mml_history *h, const uint8_t *table,
		   uint32_t page, unsigned j, uint8_t value)
{
	if (value == MML_V_BAD)
		return false;
	if (table == h->value)
		return mml_history_candidate(h, page, j, value);
	return mml_history_row(table, h, page)[j] == value;
}

/* The ops j in_row says hold value, as a list. */
static void ops_text(const struct mml_history *h, const uint8_t *table,
		     uint32_t page, uint8_t value, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned j = 0; j < h->ngens && used < len; j++) {
		if (!in_row(h, table, page, j, value))
			continue;
		int n = snprintf(buf + used, len - used, "%s%u", used ? "," : "", j);
		used = n < 0 ? len : used + (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len, "none");
}

static void print_obs(FILE *out, const char *label, const struct mml_history *h,
		      const struct mml_obs *ob)
{
	char value[48], cands[256];
	value_text(ob->value, ob->raw, value, sizeof value);
	ops_text(h, h->value, ob->page, ob->value, cands, sizeof cands);
	fprintf(out,
		"  %-5s reader %u sweep %" PRIu32 " read %" PRIu64 " page %" PRIu32
		": %s, candidates {%s}, completed %u before, started %u after\n",
		label, ob->reader, ob->sweep, ob->index, ob->page, value, cands,
		mml_state_completed(ob->before), mml_state_started(ob->after));
}

/* What made a lost write a finding or not, from the bits of its word. */
enum write_kind {
	WRITE_SAME_PAGE,
	WRITE_AFTER_RETURN,
	WRITE_CROSS_PAGE,
	WRITE_MISDIRECTED,
};

static const char *const write_kind_names[] = {
	[WRITE_SAME_PAGE] = "same-page",
	[WRITE_AFTER_RETURN] = "after-return",
	[WRITE_CROSS_PAGE] = "cross-page",
	[WRITE_MISDIRECTED] = "misdirected",
};

static const char *const write_kind_why[] = {
	[WRITE_SAME_PAGE] = "the reader had seen the page new itself",
	[WRITE_AFTER_RETURN] = "op F had returned when the store was made",
	[WRITE_CROSS_PAGE] = "the reader knew of op F from another page only",
	[WRITE_MISDIRECTED] = "no store of this reader, page and run can be there",
};

static enum write_kind write_kind(const struct mml_violation *v)
{
	struct mml_write_word w;
	if (v->cls != MML_LOST_WRITE || !mml_write_decode(v->obs.raw, &w))
		return WRITE_MISDIRECTED;
	if (w.same_page)
		return WRITE_SAME_PAGE;
	return w.after_return ? WRITE_AFTER_RETURN : WRITE_CROSS_PAGE;
}

static void print_write(FILE *out, const struct mml_history *h,
			const struct mml_violation *v)
{
	const struct mml_obs *ob = &v->obs;
	enum write_kind kind = write_kind(v);
	char ops[256];
	ops_text(h, h->landing, ob->page, ob->value, ops, sizeof ops);
	fprintf(out, "  store reader %u page %" PRIu32 ": word 0x%016" PRIx64
		" found in generation %u's file, where stores to the page land after ops {%s}\n",
		ob->reader, ob->page, ob->raw, ob->value, ops);
	if (kind == WRITE_MISDIRECTED)
		fprintf(out, "  %s\n", write_kind_why[kind]);
	else
		fprintf(out, "  M = %u from %s when it stored; F = %u (the last op up to M that "
			"changed where a store to page %" PRIu32 " lands); %s: %s\n",
			v->known.m, mml_source_name(v->known.source), v->op, ob->page,
			write_kind_names[kind], write_kind_why[kind]);
}

static void print_violation(FILE *out, const struct mml_report *rep,
			    const struct mml_history *h, unsigned n,
			    const struct mml_violation *v)
{
	const struct mml_program *p = rep->program;
	char op[96] = "the initial state";
	if (v->op)
		mml_op_format(&p->ops[v->op - 1], op, sizeof op);
	fprintf(out, "Evidence %u: %s, %s (op %u %s is %s), run 0x%05" PRIx32 "\n",
		n, mml_class_name(v->cls), v->finding ? "FINDING" : "expected",
		v->op, op,
		v->op && mml_op_atomic(p, v->op) ? "atomic" : "not atomic",
		v->run);
	if (mml_class_is_write(v->cls)) {
		print_write(out, h, v);
		return;
	}
	if (v->known.source == MML_SRC_OWN || v->known.source == MML_SRC_PEER)
		print_obs(out, "new", h, &v->known.obs);
	print_obs(out, "stale", h, &v->obs);
	fprintf(out, "  M = %u from %s; F = %u (the last op up to M that covers page %" PRIu32 ")\n",
		v->known.m, mml_source_name(v->known.source), v->op, v->obs.page);
}

static void print_histogram(FILE *out, const struct mml_result *r)
{
	unsigned states = 0;
	for (unsigned m = 0; m < 1u << MML_CLASS_COUNT; m++)
		states += r->histogram[m] > 0;
	fprintf(out, "Histogram (%u states)\n", states);
	for (unsigned m = 0; m < 1u << MML_CLASS_COUNT; m++) {
		if (!r->histogram[m])
			continue;
		fprintf(out, "%-12" PRIu64 ":>", r->histogram[m]);
		if (m == 0)
			fprintf(out, " clean");
		for (int c = 0; c < MML_CLASS_COUNT; c++)
			if (m & 1u << c)
				fprintf(out, " %s", mml_class_name((enum mml_class)c));
		fprintf(out, "\n");
	}
}

static void print_counts(FILE *out, const struct mml_result *r)
{
	if (mml_result_violations(r) == 0)
		return;
	fprintf(out, "Violations %18s %12s\n", "finding", "expected");
	for (int c = 0; c < MML_CLASS_COUNT; c++)
		if (r->count[c][0] || r->count[c][1])
			fprintf(out, "  %-20s %12" PRIu64 " %12" PRIu64 "\n",
				mml_class_name((enum mml_class)c), r->count[c][1],
				r->count[c][0]);
}

/* Writer mode: how many stores the judgement rests on. */
static void print_writes(FILE *out, const struct mml_result *r, double s)
{
	fprintf(out, "Writes %" PRIu64 " (%.2fM/s), faulted %" PRIu64 ", racing %" PRIu64
		"; store words found in the files and judged %" PRIu64
		"; into anonymous memory, unchecked %" PRIu64 "\n",
		r->writes, (double)r->writes / s / 1e6, r->faulted_writes,
		r->racing_writes, r->checked_writes, r->unchecked_writes);
}

/* The racing reads and refusals of every op: which op a Never rests on
 * least. */
static void print_ops(FILE *out, const struct mml_report *rep)
{
	const struct mml_result *r = rep->result;
	for (unsigned j = 1; j <= rep->program->nops; j++) {
		const struct mml_op *op = &rep->program->ops[j - 1];
		const struct mml_op_result *o = &r->ops[j];
		char text[96];
		mml_op_format(op, text, sizeof text);
		char n[32];
		fprintf(out, "  op %u %s: %s racing reads on %s", j, text,
			grouped(o->racing_reads, n),
			o->whole_range ? "its range (it covers no page)" : "the pages it covers");
		if (mml_op_class(op->kind)->best_effort)
			fprintf(out, "; refused by the kernel in %" PRIu64 " of %" PRIu64
				" iterations%s%s", o->refusals, r->iterations,
				o->refusal ? ", first: " : "",
				o->refusal ? errno_name(o->refusal) : "");
		fprintf(out, "\n");
	}
}

static void print_program(FILE *out, const struct mml_program *p)
{
	char text[8192];
	mml_program_format(p, text, sizeof text);
	fprintf(out, "Program\n");
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(out, "  %s\n", line);
}

/* Whether the region had the folios the program asked for, in one line. */
static void print_huge(FILE *out, const struct mml_report *rep)
{
	const struct mml_result *r = rep->result;
	unsigned order = rep->program->page_order;
	if (order == 0)
		return;
	fprintf(out, "Huge pages order %u (%ukB): ", order, mml_folio_kb(order));
	if (r->huge_checks == 0)
		fprintf(out, "not checked: no iteration ran\n");
	else if (r->huge.method == MML_HUGE_UNVERIFIED)
		fprintf(out, "not verified: below %ukB only /proc/kpageflags tells folio "
			"sizes, and reading it needs root\n", mml_folio_kb(MML_MAX_PAGE_ORDER));
	else if (r->huge.mapped == 0)
		fprintf(out, "NONE of %" PRIu64 " blocks in %" PRIu64 " checked iterations "
			"was in a folio that large (%s): base pages only, so this run is "
			"not evidence about huge pages\n", r->huge.blocks, r->huge_checks,
			mml_huge_method_name(r->huge.method));
	else
		fprintf(out, "%" PRIu64 " of %" PRIu64 " blocks in %" PRIu64 " checked "
			"iterations were in folios at least that large (%s)\n",
			r->huge.mapped, r->huge.blocks, r->huge_checks,
			mml_huge_method_name(r->huge.method));
}

/* What the reference checker said of the findings (doc/oracle.md,
 * "Every finding confirmed"). */
static void print_confirmations(FILE *out, const struct mml_result *r)
{
	uint64_t checked = r->confirmations[MML_CONFIRMED] +
			   r->confirmations[MML_UNCONFIRMED];
	fprintf(out, "Confirmed by the reference checker: %" PRIu64 " of %" PRIu64
		" readers' findings", r->confirmations[MML_CONFIRMED], checked);
	if (r->confirmations[MML_CONFIRMED])
		fprintf(out, " (the first rests on %u reads)", r->first_core);
	if (r->confirmations[MML_UNCONFIRMED])
		fprintf(out, "; %" PRIu64 " undecided within its budget or resting on reads"
			" older than the trace ring holds", r->confirmations[MML_UNCONFIRMED]);
	fputc('\n', out);
}

/* Op j's policy in the words of doc/oracle.md, "Policies". */
static const char *policy_text(const struct mml_program *p, unsigned j)
{
	const struct mml_op_class *c = mml_op_class(p->ops[j - 1].kind);
	if (mml_op_atomic(p, j))
		return "whole op";
	return c->per_vma ? "per VMA" : "per page";
}

/* "hole-then-data in 57 of 57 iterations". */
static void class_rate(const struct mml_result *r, int cls, char *buf, size_t len)
{
	char k[32], n[32];
	snprintf(buf, len, "%s in %s of %s iterations", mml_class_name((enum mml_class)cls),
		 grouped(mml_result_class_iterations(r, cls), k), grouped(r->iterations, n));
}

static void finding_answer(const struct mml_report *rep, char *buf, size_t len)
{
	const struct mml_result *r = rep->result;
	int cls = mml_result_top_class(r, true);
	const struct mml_violation *v = mml_result_evidence_of(r, cls, true);
	char rate[128], op[160] = "";
	class_rate(r, cls, rate, sizeof rate);
	if (v && v->op) {
		char text[96];
		mml_op_format(&rep->program->ops[v->op - 1], text, sizeof text);
		snprintf(op, sizeof op, "op %u %s breaks its policy (%s): ", v->op, text,
			 policy_text(rep->program, v->op));
	}
	snprintf(buf, len, "FINDING: %s%s; %s", op, rate,
		 r->confirmations[MML_CONFIRMED] ? "confirmed by the reference checker"
		 : "not confirmed: the reference checker was undecided");
}

/* Violations the policy allows: the op is not atomic here, or the control
 * fired as it must. */
static void expected_answer(const struct mml_report *rep, char *buf, size_t len)
{
	const struct mml_result *r = rep->result;
	int cls = mml_result_top_class(r, false);
	const struct mml_violation *v = mml_result_evidence_of(r, cls, false);
	char subject[96], rate[128];
	if (v && v->op)
		snprintf(subject, sizeof subject, "%s",
			 mml_op_class(rep->program->ops[v->op - 1].kind)->name);
	else
		mml_op_kinds_text(mml_program_kinds(rep->program), subject, sizeof subject);
	class_rate(r, cls, rate, sizeof rate);
	if (mml_program_has_control(rep->program))
		snprintf(buf, len, "%s: fired (control). %s: the readers could see a "
			 "change that is not atomic", subject, rate);
	else
		snprintf(buf, len, "%s: NOT atomic here. %s (its policy allows this)",
			 subject, rate);
}

void mml_report_answer(const struct mml_report *rep, char *buf, size_t len)
{
	const struct mml_result *r = rep->result;
	enum mml_outcome o = mml_report_outcome(rep);
	char a[32], b[32], kinds[96];
	if (r->disagreeing_findings) {
		snprintf(buf, len, "ORACLE DISAGREEMENT: %s violations the reference checker "
			 "calls consistent with the ops' policies: a bug of mmlitmus, not of "
			 "the kernel", grouped(r->disagreeing_findings, a));
	} else if (mml_result_findings(r)) {
		finding_answer(rep, buf, len);
	} else if (o == MML_OUTCOME_INCONCLUSIVE) {
		char why[256];
		mml_report_inconclusive_reason(rep, why, sizeof why);
		snprintf(buf, len, "INCONCLUSIVE: %s", why);
	} else if (o == MML_OUTCOME_NEVER) {
		mml_op_kinds_text(mml_program_kinds(rep->program), kinds, sizeof kinds);
		snprintf(buf, len, "%s: atomic here. Never in %s iterations, %s racing reads",
			 kinds, grouped(r->iterations, a), short_count(r->racing_reads, b));
	} else {
		expected_answer(rep, buf, len);
	}
}

/* The verdict of a run without a finding: why, or why it proves little. */
static void print_no_finding(FILE *out, const struct mml_report *rep,
			     enum mml_outcome o)
{
	const struct mml_result *r = rep->result;
	char a[32], b[32];
	if (o == MML_OUTCOME_INCONCLUSIVE) {
		char why[256];
		mml_report_inconclusive_reason(rep, why, sizeof why);
		fprintf(out, "Verdict inconclusive: %s\n", why);
	} else if (o == MML_OUTCOME_NEVER)
		fprintf(out, "Verdict no finding: Never in %s iterations with %s racing reads\n",
			grouped(r->iterations, a), grouped(r->racing_reads, b));
	else if (mml_program_has_control(rep->program))
		fprintf(out, "Verdict fired (control): every violation is expected of the "
			"control, and it shows that the readers could see one\n");
	else
		fprintf(out, "Verdict no finding: every violation is expected for a non-atomic op\n");
}

/* A disagreement comes first: it says the rest of the report may be wrong. */
static void print_verdict(FILE *out, const struct mml_report *rep,
			  const struct mml_history *h, enum mml_outcome o)
{
	const struct mml_result *r = rep->result;
	uint64_t findings = mml_result_findings(r);
	if (r->disagreeing_findings) {
		fprintf(out, "Verdict ORACLE DISAGREEMENT: the streaming oracle flagged %" PRIu64
			" violations that the reference checker calls consistent with the"
			" ops' policies; a bug of mmlitmus, not of the kernel\n",
			r->disagreeing_findings);
		if (h)
			print_violation(out, rep, h, 0, &r->disagreement);
	}
	if (findings) {
		fprintf(out, "Verdict FINDING: %" PRIu64 " violations the ops' policy forbids\n",
			findings);
		print_confirmations(out, r);
	} else if (!r->disagreeing_findings) {
		print_no_finding(out, rep, o);
	}
}

void mml_report_text(FILE *out, const struct mml_report *rep)
{
	const struct mml_result *r = rep->result;
	struct mml_history h = {0};
	int have_history = mml_history_build(&h, rep->program) == 0;
	enum mml_outcome o = mml_report_outcome(rep);

	char answer[512];
	mml_report_answer(rep, answer, sizeof answer);
	fprintf(out, "Test %s\n", rep->name);
	print_program(out, rep->program);
	fprintf(out, "%s\n", answer);
	fprintf(out, "Seed %" PRIu64 "  run-base 0x%05" PRIx32 "\n",
		rep->config->seed, r->run_base);
	print_histogram(out, r);
	print_counts(out, r);
	double s = r->seconds > 0 ? r->seconds : 1e-9;
	char n[5][32];
	fprintf(out, "Iterations %s in %.2fs (%s/s); reads %s (%.2fM/s), sweeps %s, holes %s\n",
		grouped(r->iterations, n[0]), r->seconds,
		grouped((uint64_t)((double)r->iterations / s), n[1]), grouped(r->reads, n[2]),
		(double)r->reads / s / 1e6, grouped(r->sweeps, n[3]), grouped(r->holes, n[4]));
	fprintf(out, "Racing reads %s in %s iterations (threshold %s); in a window but on "
		"the mapper's CPU %s (sweeps there %s)\n",
		grouped(r->racing_reads, n[0]), grouped(r->racing_iterations, n[1]),
		grouped(rep->config->min_racing, n[2]), grouped(r->shared_cpu_reads, n[3]),
		grouped(r->shared_cpu_sweeps, n[4]));
	print_ops(out, rep);
	if (rep->program->perturb != MML_PERTURB_NONE)
		fprintf(out, "Perturber %s: %" PRIu64 " rounds\n",
			mml_perturb_name(rep->program->perturb), r->perturbations);
	fprintf(out, "New values seen before the op was marked complete: %" PRIu64
		" in %" PRIu64 " iterations\n", r->early_new, r->early_new_iterations);
	print_huge(out, rep);
	if (rep->program->write)
		print_writes(out, r, s);
	fprintf(out, "Observation %s %s %" PRIu64 " %" PRIu64 "\n", rep->name,
		mml_outcome_name(o), r->violation_iterations,
		r->iterations - r->violation_iterations);
	print_verdict(out, rep, have_history ? &h : NULL, o);
	for (unsigned i = 0; have_history && i < r->nevidence; i++)
		print_violation(out, rep, &h, i + 1, &r->evidence[i]);
	if (r->interrupted)
		fprintf(out, "Interrupted: the counts above are those of the iterations that completed\n");
	if (r->error[0])
		fprintf(out, "Error: %s\n", r->error);
	fprintf(out, "%s\n", answer);
	mml_history_free(&h);
}

static json_t *op_json(const struct mml_program *p, unsigned number)
{
	const struct mml_op *op = &p->ops[number - 1];
	char text[96];
	mml_op_format(op, text, sizeof text);
	json_t *j = json_pack("{s:s, s:I, s:I, s:s, s:b}", "kind", mml_op_class(op->kind)->name,
			      "lo", (json_int_t)op->lo, "hi", (json_int_t)op->hi,
			      "text", text, "atomic", mml_op_atomic(p, number));
	mml_op_params_json(op, j);
	return j;
}

static json_t *cpu_json(int cpu)
{
	if (cpu == MML_AUTO_CPU)
		return json_string("auto");
	return cpu == MML_NO_CPU ? json_null() : json_integer(cpu);
}

static json_t *program_json(const struct mml_program *p)
{
	json_t *ops = json_array();
	for (unsigned i = 0; i < p->nops; i++)
		json_array_append_new(ops, op_json(p, i + 1));
	json_t *readers = json_array();
	for (unsigned i = 0; i < p->nreaders; i++) {
		const struct mml_reader *r = &p->readers[i];
		json_array_append_new(readers,
			json_pack("{s:s, s:I, s:o}", "order", mml_order_name(r->order),
				  "param", (json_int_t)r->param, "cpu", cpu_json(r->cpu)));
	}
	return json_pack("{s:I, s:I, s:s, s:b, s:b, s:o, s:s, s:I, s:o, s:o, s:I, s:b, s:b, s:s, s:I}",
			 "pages", (json_int_t)p->pages,
			 "page_order", (json_int_t)p->page_order,
			 "backing", mml_backing_name(p->backing),
			 "populate", p->populate,
			 "read_only", p->read_only,
			 "mapper_cpu", cpu_json(p->mapper_cpu),
			 "delay", mml_delay_name(p->delay),
			 "delay_amount", (json_int_t)p->delay_amount,
			 "ops", ops, "readers", readers,
			 "reader_yield", (json_int_t)p->reader_yield,
			 "share", p->share, "write", p->write,
			 "perturb", mml_perturb_name(p->perturb),
			 "repeat", (json_int_t)p->repeat);
}

/* ops_text as a JSON array. */
static json_t *ops_json(const struct mml_history *h, const uint8_t *table,
			uint32_t page, uint8_t value)
{
	json_t *ops = json_array();
	for (unsigned j = 0; j < h->ngens; j++)
		if (in_row(h, table, page, j, value))
			json_array_append_new(ops, json_integer(j));
	return ops;
}

static json_t *obs_json(const struct mml_history *h, const struct mml_obs *ob)
{
	char value[48], raw[24];
	value_text(ob->value, ob->raw, value, sizeof value);
	snprintf(raw, sizeof raw, "0x%016" PRIx64, ob->raw);
	json_t *cands = ops_json(h, h->value, ob->page, ob->value);
	return json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:o, s:I, s:I}",
			 "reader", (json_int_t)ob->reader,
			 "sweep", (json_int_t)ob->sweep,
			 "read", (json_int_t)ob->index,
			 "page", (json_int_t)ob->page,
			 "value", value, "raw", raw,
			 "candidates", cands,
			 "completed_before", (json_int_t)mml_state_completed(ob->before),
			 "started_after", (json_int_t)mml_state_started(ob->after));
}

/* A store a reader made, as the write check found it. */
static json_t *write_json(const struct mml_history *h,
			  const struct mml_violation *v)
{
	const struct mml_obs *ob = &v->obs;
	char raw[24];
	snprintf(raw, sizeof raw, "0x%016" PRIx64, ob->raw);
	json_t *ops = ops_json(h, h->landing, ob->page, ob->value);
	return json_pack("{s:I, s:I, s:I, s:s, s:o, s:s}",
			 "reader", (json_int_t)ob->reader,
			 "page", (json_int_t)ob->page,
			 "generation", (json_int_t)ob->value, "raw", raw,
			 "landing_ops", ops, "kind", write_kind_names[write_kind(v)]);
}

static json_t *violation_json(const struct mml_history *h,
			      const struct mml_violation *v)
{
	bool write = mml_class_is_write(v->cls);
	bool has_new = !write && (v->known.source == MML_SRC_OWN ||
				  v->known.source == MML_SRC_PEER);
	return json_pack("{s:s, s:b, s:I, s:I, s:I, s:s, s:o, s:o, s:o}",
			 "class", mml_class_name(v->cls), "finding", v->finding,
			 "run", (json_int_t)v->run, "op", (json_int_t)v->op,
			 "m", (json_int_t)v->known.m,
			 "m_source", mml_source_name(v->known.source),
			 "new", has_new ? obs_json(h, &v->known.obs) : json_null(),
			 "stale", write ? json_null() : obs_json(h, &v->obs),
			 "write", write ? write_json(h, v) : json_null());
}

static json_t *histogram_json(const struct mml_result *r)
{
	json_t *states = json_array();
	for (unsigned m = 0; m < 1u << MML_CLASS_COUNT; m++) {
		if (!r->histogram[m])
			continue;
		json_t *classes = json_array();
		for (int c = 0; c < MML_CLASS_COUNT; c++)
			if (m & 1u << c)
				json_array_append_new(classes, json_string(mml_class_name((enum mml_class)c)));
		json_array_append_new(states, json_pack("{s:o, s:I}", "classes", classes,
							"count", (json_int_t)r->histogram[m]));
	}
	return states;
}

static json_t *violations_json(const struct mml_result *r)
{
	json_t *counts = json_object();
	for (int c = 0; c < MML_CLASS_COUNT; c++)
		json_object_set_new(counts, mml_class_name((enum mml_class)c),
			json_pack("{s:I, s:I, s:I}",
				  "finding", (json_int_t)r->count[c][1],
				  "expected", (json_int_t)r->count[c][0],
				  "iterations", (json_int_t)mml_result_class_iterations(r, c)));
	return counts;
}

json_t *mml_result_json(const struct mml_result *r)
{
	return json_pack(
		"{s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
		" s:I, s:I, s:I, s:I, s:I, s:o}",
		"iterations", (json_int_t)r->iterations, "seconds", r->seconds,
		"reads", (json_int_t)r->reads, "sweeps", (json_int_t)r->sweeps,
		"holes", (json_int_t)r->holes,
		"racing_reads", (json_int_t)r->racing_reads,
		"shared_cpu_reads", (json_int_t)r->shared_cpu_reads,
		"shared_cpu_sweeps", (json_int_t)r->shared_cpu_sweeps,
		"racing_iterations", (json_int_t)r->racing_iterations,
		"early_new", (json_int_t)r->early_new,
		"early_new_iterations", (json_int_t)r->early_new_iterations,
		"perturbations", (json_int_t)r->perturbations,
		"writes", (json_int_t)r->writes,
		"faulted_writes", (json_int_t)r->faulted_writes,
		"unchecked_writes", (json_int_t)r->unchecked_writes,
		"racing_writes", (json_int_t)r->racing_writes,
		"checked_writes", (json_int_t)r->checked_writes,
		"violation_iterations", (json_int_t)r->violation_iterations,
		"finding_iterations", (json_int_t)r->finding_iterations,
		"violations", violations_json(r));
}

static json_t *huge_json(const struct mml_report *rep)
{
	const struct mml_result *r = rep->result;
	if (rep->program->page_order == 0)
		return json_null();
	return json_pack("{s:s, s:I, s:I, s:I}",
			 "method", mml_huge_method_name(r->huge.method),
			 "checks", (json_int_t)r->huge_checks,
			 "blocks", (json_int_t)r->huge.blocks,
			 "mapped", (json_int_t)r->huge.mapped);
}

static json_t *per_op_json(const struct mml_report *rep)
{
	json_t *ops = json_array();
	for (unsigned j = 1; j <= rep->program->nops; j++) {
		const struct mml_op_result *o = &rep->result->ops[j];
		char text[96];
		mml_op_format(&rep->program->ops[j - 1], text, sizeof text);
		json_array_append_new(ops, json_pack(
			"{s:I, s:s, s:I, s:s, s:I, s:o}",
			"op", (json_int_t)j, "text", text,
			"racing_reads", (json_int_t)o->racing_reads,
			"racing_pages", o->whole_range ? "range" : "covered",
			"refusals", (json_int_t)o->refusals,
			"refusal", o->refusal ? json_string(errno_name(o->refusal))
					      : json_null()));
	}
	return ops;
}

static json_t *verdict_json(const struct mml_report *rep, enum mml_outcome o)
{
	char why[256] = "";
	if (o == MML_OUTCOME_INCONCLUSIVE)
		mml_report_inconclusive_reason(rep, why, sizeof why);
	const struct mml_result *r = rep->result;
	uint64_t findings = mml_result_findings(r);
	char answer[512];
	mml_report_answer(rep, answer, sizeof answer);
	return json_pack("{s:s, s:b, s:I, s:s, s:I, s:I, s:I}", "answer", answer,
			 "finding", findings > 0,
			 "findings", (json_int_t)findings, "inconclusive_reason", why,
			 "confirmed", (json_int_t)r->confirmations[MML_CONFIRMED],
			 "unconfirmed", (json_int_t)r->confirmations[MML_UNCONFIRMED],
			 "disagreements", (json_int_t)r->disagreeing_findings);
}

json_t *mml_report_json_object(const struct mml_report *rep)
{
	const struct mml_result *r = rep->result;
	struct mml_history h = {0};
	if (mml_history_build(&h, rep->program))
		return NULL;
	enum mml_outcome o = mml_report_outcome(rep);
	json_t *evidence = json_array();
	for (unsigned i = 0; i < r->nevidence; i++)
		json_array_append_new(evidence, violation_json(&h, &r->evidence[i]));
	mml_history_free(&h);
	json_t *doc = json_pack("{s:I, s:s, s:o, s:I, s:I}",
		"format", (json_int_t)MML_JSON_FORMAT, "test", rep->name,
		"program", program_json(rep->program),
		"seed", (json_int_t)rep->config->seed, "run_base", (json_int_t)r->run_base);
	json_object_update_new(doc, mml_result_json(r));
	json_object_update_new(doc, json_pack(
		"{s:o, s:I, s:o, s:o, s:{s:s, s:s, s:I, s:I}, s:o, s:o, s:b, s:s?}",
		"per_op", per_op_json(rep),
		"min_racing", (json_int_t)rep->config->min_racing,
		"histogram", histogram_json(r), "huge", huge_json(rep),
		"observation", "name", rep->name, "result", mml_outcome_name(o),
		"pos", (json_int_t)r->violation_iterations,
		"neg", (json_int_t)(r->iterations - r->violation_iterations),
		"verdict", verdict_json(rep, o), "evidence", evidence,
		"interrupted", r->interrupted,
		"error", r->error[0] ? r->error : NULL));
	return doc;
}

int mml_report_json(FILE *out, const struct mml_report *rep)
{
	return mml_json_write(out, mml_report_json_object(rep), 0);
}
