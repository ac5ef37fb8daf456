/* Litmus programs on the running kernel, one scenario per invocation:
 * test_litmus SCENARIO prints TAP for that scenario alone.  Bounds are
 * generous (the machine may be loaded); assertions are not. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "ops.h"
#include "program.h"
#include "report.h"
#include "run.h"
#include "tap.h"
#include "tap_report.h"
#include "text.h"
#include "writer.h"

static int cpu_count(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) < 0)
		return 1;
	return CPU_COUNT(&set);
}

static void program(struct mml_program *p, uint32_t pages,
		    enum mml_backing backing, const char *op,
		    const char *order)
{
	mml_program_classic(p);
	p->pages = pages;
	p->backing = backing;
	if (mml_op_parse(op, pages, &p->ops[0]) ||
	    mml_order_parse(order, &p->readers[0])) {
		printf("Bail out! bad scenario %s %s\n", op, order);
		exit(1);
	}
	p->readers[0].cpu = 1;
}

static struct mml_config config(double seconds)
{
	return (struct mml_config){.seconds = seconds, .seed = 1,
				   .evidence = 3, .min_racing = 1000};
}

/* Runs and prints what a person needs to see why an assertion failed. */
static enum mml_outcome run(const char *name, const struct mml_program *p,
			     const struct mml_config *c, struct mml_result *r)
{
	if (mml_run(p, c, r)) {
		printf("Bail out! %s: %s\n", name, r->error);
		exit(1);
	}
	tap_report(name, p, c, r);
	struct mml_report rep = {name, p, c, r};
	return mml_report_outcome(&rep);
}

static bool have_two_cpus(void)
{
	return cpu_count() >= 2;
}

static void same_cpu_inconclusive(void)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 16, MML_BACKING_MEMFD, "mapfixed", "asc");
	p.mapper_cpu = 0;
	p.readers[0].cpu = 0;
	struct mml_config c = config(2);
	enum mml_outcome o = run("same-cpu", &p, &c, &r);
	ok(mml_result_findings(&r) == 0, "no finding");
	ok(o == MML_OUTCOME_INCONCLUSIVE,
	   "a reader on the mapper's CPU makes the answer Inconclusive, not Never");
}

/* read_only: the files mapped PROT_READ (--read-only). */
static void mapfixed_never(uint32_t pages, bool read_only)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, pages, MML_BACKING_MEMFD, "mapfixed", "asc");
	p.read_only = read_only;
	struct mml_config c = config(4);
	enum mml_outcome o = run("mapfixed", &p, &c, &r);
	ok(mml_result_findings(&r) == 0, "mapfixed: no finding");
	ok(mml_result_violations(&r) == 0, "mapfixed: no violation at all");
	tap_never("Never, with enough racing reads to mean it", &c, &r, o);
}

/* The control must fire, or nothing else in this suite means anything. */
static void control_fires(bool read_only)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 16, MML_BACKING_MEMFD, "piecewise:asc", "asc");
	p.read_only = read_only;
	struct mml_config c = config(30);
	c.stop_on_violation = true;
	run("piecewise", &p, &c, &r);
	ok(r.count[MML_NEW_THEN_STALE][0] > 0,
	   "piecewise followed by an ascending reader shows new-then-stale");
	ok(mml_result_findings(&r) == 0,
	   "and it is expected: piecewise is not atomic");
	ok(r.nevidence > 0 && r.evidence[0].cls == MML_NEW_THEN_STALE &&
		      r.evidence[0].known.source == MML_SRC_OWN &&
		      r.evidence[0].known.obs.value == 1 && r.evidence[0].obs.value == 0,
	   "the evidence pairs a new value with a later stale one");
}

/* Non-atomic ops over a large populated region: the window is long. */
static void non_atomic_fires(const char *op, enum mml_backing backing,
			     enum mml_class expect)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 16384, backing, op, "pingpong");
	struct mml_config c = config(90);
	c.stop_on_violation = true;
	enum mml_outcome o = run(op, &p, &c, &r);
	char what[128];
	snprintf(what, sizeof what, "%s of 64 MiB shows %s", op,
		 mml_class_name(expect));
	ok(r.count[expect][0] > 0, what);
	ok(mml_result_findings(&r) == 0, "classified as expected, not a finding");
	ok(o == MML_OUTCOME_SOMETIMES || o == MML_OUTCOME_ALWAYS,
	   "the Observation line says it happened");
}

/* Every op and backing runs without an environment error or a finding. */
static void ops_clean(void)
{
	static const char *const ops[] = {
		"mapfixed:memfd", "mapfixed:tmpfs", "mapfixed:anon",
		"mremap:memfd", "mremap:anon", "mprotect:none",
	};
	static const enum mml_backing backings[] = {
		MML_BACKING_MEMFD, MML_BACKING_TMPFS, MML_BACKING_ANON,
	};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		for (size_t b = 0; b < 3; b++) {
			struct mml_program p;
			struct mml_result r;
			program(&p, 64, backings[b], ops[i], "random");
			struct mml_config c = config(0.5);
			run(ops[i], &p, &c, &r);
			char what[128];
			snprintf(what, sizeof what, "%s over %s: no finding in %llu iterations",
				 ops[i], mml_backing_name(backings[b]),
				 (unsigned long long)r.iterations);
			ok(mml_result_findings(&r) == 0 && r.iterations > 0, what);
		}
	}
}

/* Appends an op to a program built by program(). */
static void add_op(struct mml_program *p, const char *spec)
{
	if (mml_op_parse(spec, p->pages, &p->ops[p->nops++])) {
		printf("Bail out! bad op %s\n", spec);
		exit(1);
	}
}

/* Two ops: to PROT_NONE and back; the restored value is legal. */
static void mprotect_round_trip(void)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 64, MML_BACKING_MEMFD, "mprotect:none", "pingpong");
	add_op(&p, "mprotect:read");
	struct mml_config c = config(2);
	run("mprotect+mprotect", &p, &c, &r);
	ok(mml_result_findings(&r) == 0, "mprotect none then read: no finding");
	ok(r.holes > 0, "the readers did see the holes");
}

/* mprotect over two VMAs: the kernel does one VMA after the other, and
 * since per-VMA locks a fault on the VMA not reached yet sees the old
 * protection.  Expected by the per-VMA policy, never a finding; whether it
 * shows at all depends on the kernel, so that is printed, not asserted. */
static void mprotect_across_vmas(void)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 16, MML_BACKING_MEMFD, "mapfixed:8-16", "asc");
	add_op(&p, "mprotect:none");
	add_op(&p, "mprotect:read");
	struct mml_config c = config(4);
	run("mapfixed+mprotect+mprotect", &p, &c, &r);
	printf("# new-then-stale across the VMA boundary: %llu\n",
	       (unsigned long long)r.count[MML_NEW_THEN_STALE][0]);
	ok(mml_result_findings(&r) == 0, "no finding: op 3 spans two VMAs");
	ok(!mml_op_atomic(&p, 2) && !mml_op_atomic(&p, 3),
	   "both mprotects span the boundary the mapfixed left at page 8");
}

/* One op of the catalog on a shape that suits it.  Atomic ops and ops
 * that change nothing visible must show no violation at all (so every
 * value the readers saw was in its value class); non-atomic ones no
 * finding.  Holes must be seen where the op makes them. */
struct catalog_case {
	const char *name;
	unsigned seconds; /* its meson timeout (tests/meson.build reads it here) */
	enum mml_backing backing;
	uint32_t pages;
	const char *ops[3];
	const char *order;
	bool atomic;
	bool makes_holes;
	enum mml_perturb perturb;
};

static const struct catalog_case catalog[] = {
	{"shrink", 30, MML_BACKING_MEMFD, 64, {"shrink"}, "pingpong", false, true, MML_PERTURB_NONE},
	{"grow-memfd", 30, MML_BACKING_MEMFD, 64, {"grow"}, "pingpong", true, false, MML_PERTURB_NONE},
	{"grow-anon", 30, MML_BACKING_ANON, 64, {"grow:anon"}, "random", true, false, MML_PERTURB_NONE},
	{"mremap-pmd", 30, MML_BACKING_MEMFD, 1024, {"mremap:512-1024:pmd"}, "pingpong", true, false, MML_PERTURB_NONE},
	{"mremap-pud", 60, MML_BACKING_MEMFD, 262144, {"mremap:pud"}, "random", true, false, MML_PERTURB_NONE},
	{"mremap-dontunmap", 30, MML_BACKING_ANON, 64, {"mremap:anon:dontunmap"}, "pingpong", true, false, MML_PERTURB_NONE},
	{"truncate", 30, MML_BACKING_MEMFD, 64, {"truncate:32-64"}, "pingpong", false, true, MML_PERTURB_NONE},
	{"punch", 30, MML_BACKING_TMPFS, 64, {"punch:16-48"}, "pingpong", false, false, MML_PERTURB_NONE},
	{"free", 30, MML_BACKING_ANON, 64, {"free"}, "random", false, false, MML_PERTURB_NONE},
	{"remove", 30, MML_BACKING_MEMFD, 64, {"remove"}, "pingpong", false, false, MML_PERTURB_NONE},
	{"pageout", 30, MML_BACKING_ANON, 64, {"pageout"}, "random", true, false, MML_PERTURB_NONE},
	{"collapse", 30, MML_BACKING_ANON, 1024, {"collapse"}, "random", true, false, MML_PERTURB_NONE},
	{"mlock", 30, MML_BACKING_MEMFD, 64, {"mlock", "munmap"}, "pingpong", false, true, MML_PERTURB_NONE},
	{"mapfixed-populate-locked", 30, MML_BACKING_ANON, 64,
	 {"mapfixed:memfd:populate:locked", "mprotect:none"}, "random", true, true, MML_PERTURB_NONE},
	{"perturb-fork", 30, MML_BACKING_ANON, 64, {"mapfixed"}, "asc", true, false,
	 MML_PERTURB_FORK},
	{"perturb-mmap", 30, MML_BACKING_MEMFD, 64, {"mremap"}, "asc", true, false,
	 MML_PERTURB_MMAP},
};

static const struct catalog_case *find_case(const char *name)
{
	for (size_t i = 0; i < sizeof catalog / sizeof *catalog; i++)
		if (strcmp(catalog[i].name, name) == 0)
			return &catalog[i];
	return NULL;
}

static void catalog_run(const struct catalog_case *k)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, k->pages, k->backing, k->ops[0], k->order);
	for (int i = 1; i < 3 && k->ops[i]; i++)
		add_op(&p, k->ops[i]);
	p.perturb = k->perturb;
	struct mml_config c = config(2);
	run(k->name, &p, &c, &r);
	ok(r.iterations > 0 && r.racing_reads > 0, "the readers raced the ops");
	ok(mml_result_findings(&r) == 0, "no finding");
	if (k->atomic)
		ok(mml_result_violations(&r) == 0,
		   "no violation at all: every value was in its op's value class");
	else
		ok(true, "violations are expected of a non-atomic op # SKIP not atomic");
	if (k->makes_holes)
		ok(r.holes > 0, "the readers saw the holes the op makes");
	else if (k->perturb != MML_PERTURB_NONE)
		ok(r.perturbations > 0, "the perturber ran during the ops");
	else
		ok(r.holes == 0, "no read faulted: the op makes no hole");
}

static void migrate_needs_nodes(void)
{
	if (mml_far_node() < 0) {
		tap_skip_all("one NUMA node: migrate has nowhere to move pages");
		return;
	}
	struct mml_program p;
	struct mml_result r;
	program(&p, 64, MML_BACKING_ANON, "migrate", "random");
	struct mml_config c = config(2);
	run("migrate", &p, &c, &r);
	ok(mml_result_violations(&r) == 0 && r.racing_reads > 0,
	   "migrate: no violation, with racing reads");
}

/* Message passing: reader 0 watches page 15, which the control replaces
 * first, reader 1 watches page 0, replaced last, and they share.  Neither
 * can see new-then-stale alone, so every violation is reader 1's old page
 * 0 after reader 0's news: causality, expected for the control.  Both
 * readers on CPU 1, yielding, so that they take turns inside the op. */
static void causality_fires(void)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 16, MML_BACKING_MEMFD, "piecewise:desc", "single:15");
	p.nreaders = 2;
	if (mml_order_parse("single:0", &p.readers[1])) {
		printf("Bail out! bad order\n");
		exit(1);
	}
	p.readers[1].cpu = 1;
	p.share = true;
	p.reader_yield = 16;
	struct mml_config c = config(20);
	c.stop_on_violation = true;
	run("causality", &p, &c, &r);
	ok(r.count[MML_CAUSALITY][0] > 0,
	   "reader 1 reads page 0 old after reader 0 told it op 1 is in effect");
	ok(mml_result_findings(&r) == 0 &&
		      mml_result_violations(&r) == r.count[MML_CAUSALITY][0],
	   "every violation is causality, and expected: piecewise is not atomic");
	const struct mml_violation *v = &r.evidence[0];
	ok(r.nevidence > 0 && v->cls == MML_CAUSALITY &&
		      v->known.source == MML_SRC_PEER && v->known.obs.reader == 0 &&
		      v->known.obs.page == 15 && v->obs.reader == 1 && v->obs.page == 0,
	   "the evidence pairs reader 0's new page 15 with reader 1's old page 0");
}

/* Writer mode over the classic test: every store that landed in a file
 * was judged, and none was lost.  A Never must be earned: the stores
 * raced the op, and every iteration left a word in every page of
 * generation 1's file at least (the last sweep's). */
static void write_mapfixed_never(void)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 16, MML_BACKING_MEMFD, "mapfixed", "asc");
	p.write = true;
	struct mml_config c = config(3);
	enum mml_outcome o = run("mapfixed, writing", &p, &c, &r);
	ok(mml_result_findings(&r) == 0, "no finding");
	ok(r.count[MML_LOST_WRITE][0] + r.count[MML_LOST_WRITE][1] +
		      r.count[MML_MISDIRECTED_WRITE][1] == 0,
	   "no lost or misdirected write, not even an expected one");
	ok(r.writes > 0 && r.faulted_writes == 0 && r.unchecked_writes == 0,
	   "the readers stored, into memfd pages only, and no store faulted");
	ok(r.checked_writes >= 16 * r.iterations && r.checked_writes <= r.writes,
	   "every iteration's stores were found in the files and judged");
	ok(r.racing_writes > 0, "some stores raced the op");
	tap_never("Never, with enough racing reads to mean it", &c, &r, o);
}

/* The control, writing: a reader that saw page A new reads page B old
 * and stores into it, and the store lands in generation 0's file.  That
 * is a cross-page lost write, expected for the control: the proof that
 * the scan finds what the stores left and can fire. */
static void write_piecewise_fires(void)
{
	struct mml_program p;
	struct mml_result r;
	program(&p, 16, MML_BACKING_MEMFD, "piecewise:asc", "asc");
	p.write = true;
	struct mml_config c = config(2);
	run("piecewise, writing", &p, &c, &r);
	ok(r.count[MML_LOST_WRITE][0] > 0 && r.count[MML_LOST_WRITE][1] == 0,
	   "lost writes, all expected");
	ok(mml_result_findings(&r) == 0 && r.count[MML_MISDIRECTED_WRITE][1] == 0,
	   "no finding, no misdirected write");
	const struct mml_violation *v = NULL;
	for (unsigned i = 0; i < r.nevidence; i++)
		if (r.evidence[i].cls == MML_LOST_WRITE)
			v = &r.evidence[i];
	struct mml_write_word w;
	ok(v && mml_write_decode(v->obs.raw, &w) && !w.same_page &&
		      !w.after_return && w.m == 1 && v->op == 1 && v->obs.value == 0 &&
		      w.page == v->obs.page,
	   "the evidence: a store with M = 1 from another page, found in "
	   "generation 0's file");
}

/* Writer mode over ops that cut pages out of a file or map anonymous
 * memory: stores past the end fault and are counted, the scan skips the
 * pages that are gone (the view there would SIGBUS), and anonymous
 * stores are counted as unchecked.  No finding. */
static void write_ops_clean(void)
{
	static const char *const ops[] = {
		"truncate:8-16", "punch", "remove", "mapfixed:anon", "munmap",
	};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		struct mml_program p;
		struct mml_result r;
		program(&p, 16, MML_BACKING_MEMFD, ops[i], "pingpong");
		p.write = true;
		struct mml_config c = config(0.5);
		run(ops[i], &p, &c, &r);
		char what[128];
		snprintf(what, sizeof what, "%s, writing: no finding in %llu iterations",
			 ops[i], (unsigned long long)r.iterations);
		ok(mml_result_findings(&r) == 0 && r.iterations > 0, what);
		bool cut = i == 0 || i == 4, anon = i == 3;
		snprintf(what, sizeof what, "%s: stores judged%s%s", ops[i],
			 cut ? ", and some faulted" : "",
			 anon ? ", and some unchecked" : "");
		ok(r.checked_writes > 0 && (!cut || r.faulted_writes > 0) &&
				(!anon || r.unchecked_writes > 0), what);
	}
}

/* The permissions /proc/self/maps gives the mapping at addr, as "r--s". */
static bool maps_perms(const void *addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;
	while (f && !found && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		found = sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
			(uintptr_t)addr >= lo && (uintptr_t)addr < hi;
	}
	if (f)
		fclose(f);
	return found;
}

/* A store marked read-only is mapped PROT_READ, and one not marked is
 * mapped writable: the two mappings doc/oracle.md compares. */
static bool store_maps_with(bool read_only, const char *want)
{
	struct mml_store s;
	const char *what;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *region = mml_reserve_aligned(4 * page, page);
	char perms[5] = "";
	if (!region || mml_store_open(&s, MML_BACKING_MEMFD, 4, 0, 4, page, 0, &what))
		return false;
	s.read_only = read_only;
	bool mapped = mml_store_map(&s, region, 0, 4, 0) == 0 && maps_perms(region, perms);
	mml_store_close(&s);
	munmap(region, 4 * page);
	if (strcmp(perms, want) != 0)
		printf("# read_only %d: mapped %s, want %s\n", read_only, perms, want);
	return mapped && strcmp(perms, want) == 0;
}

/* --read-only: the files mapped PROT_READ, whose clean entries let the
 * readers read through a whole zap.  The same checks as the classic
 * scenarios: no false positive there, and the control still fires. */
static void read_only(void)
{
	ok(store_maps_with(true, "r--s") && store_maps_with(false, "rw-s"),
	   "read-only maps a file generation r--s, and writable rw-s otherwise");
	mapfixed_never(16, true);
	control_fires(true);
}

static void mapfixed_16(void) { mapfixed_never(16, false); }
static void mapfixed_512(void) { mapfixed_never(512, false); }
static void piecewise_fires(void) { control_fires(false); }

static void munmap_64m(void)
{
	non_atomic_fires("munmap", MML_BACKING_MEMFD, MML_HOLE_THEN_DATA);
}

static void dontneed_64m(void)
{
	non_atomic_fires("dontneed", MML_BACKING_ANON, MML_NEW_THEN_STALE);
}

/* The scenarios besides the catalog's, one meson test each: the name, its
 * meson timeout in seconds (tests/meson.build reads both tables). */
static const struct scenario {
	const char *name;
	unsigned seconds;
	void (*run)(void);
} scenarios[] = {
	{"mapfixed-16", 30, mapfixed_16},
	{"mapfixed-512", 30, mapfixed_512},
	{"piecewise", 60, piecewise_fires},
	{"munmap-64m", 150, munmap_64m},
	{"dontneed-64m", 150, dontneed_64m},
	{"ops-clean", 60, ops_clean},
	{"mprotect-round-trip", 30, mprotect_round_trip},
	{"mprotect-across-vmas", 30, mprotect_across_vmas},
	{"migrate", 30, migrate_needs_nodes},
	{"causality-piecewise", 60, causality_fires},
	{"write-mapfixed", 30, write_mapfixed_never},
	{"write-piecewise", 30, write_piecewise_fires},
	{"write-ops-clean", 30, write_ops_clean},
	{"same-cpu", 30, same_cpu_inconclusive},
	{"read-only", 60, read_only},
};

static const struct scenario *find_scenario(const char *name)
{
	for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";
	const struct scenario *s = find_scenario(name);
	const struct catalog_case *k = find_case(name);
	if (!s && !k) {
		printf("Bail out! unknown scenario '%s'\n", name);
		return 1;
	}
	/* same-cpu is the one scenario that wants the reader on the mapper's
	 * CPU. */
	if (s != find_scenario("same-cpu") && !have_two_cpus())
		return tap_skip_all("needs two CPUs for the reader to race the mapper");
	if (s)
		s->run();
	else
		catalog_run(k);
	return tap_done();
}
