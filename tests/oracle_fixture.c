#include "oracle_fixture.h"


#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "tap.h"


void fx_program(struct fixture *f, uint32_t pages, enum mml_backing backing)
{
	memset(f, 0, sizeof *f);
	f->p.pages = pages;
	f->p.backing = backing;
	f->p.nreaders = 1;
	for (unsigned r = 0; r < FX_READERS; r++)
		f->p.readers[r].cpu = MML_NO_CPU;
	f->p.mapper_cpu = MML_NO_CPU;
}

void fx_op(struct fixture *f, enum mml_op_kind kind, uint32_t lo, uint32_t hi,
	   enum mml_backing backing, enum mml_prot prot)
{
	struct mml_op *op = &f->p.ops[f->p.nops++];
	op->kind = kind;
	op->lo = lo;
	op->hi = hi;
	op->backing = backing;
	op->prot = prot;
}

bool fx_start(struct fixture *f)
{
	if (f->p.pages > FX_MAX_PAGES || f->p.nreaders > FX_READERS) {
		printf("# fixture: %u pages and %u readers, at most %d and %d\n",
		       (unsigned)f->p.pages, (unsigned)f->p.nreaders,
		       FX_MAX_PAGES, FX_READERS);
		return false;
	}
	if (mml_history_build(&f->h, &f->p) != 0) {
		printf("# fixture: mml_history_build failed\n");
		return false;
	}
	f->built = true;
	f->atomic[0] = false;
	for (unsigned j = 1; j <= f->p.nops; j++)
		f->atomic[j] = mml_op_atomic(&f->p, j);
	for (unsigned r = 0; r < f->p.nreaders; r++) {
		mml_oracle_init(&f->o[r], &f->h, f->atomic, f->seen[r],
				f->kept[r], FX_KEEP);
		f->o[r].run = FX_RUN;
	}
	f->next_index = 0;
	return true;
}

void fx_end(struct fixture *f)
{
	if (f->built)
		mml_history_free(&f->h);
	f->built = false;
}

bool check(bool cond, const char *what)
{
	if (!cond)
		printf("# failed: %s\n", what);
	return cond;
}

bool check_int(long long got, long long want, const char *what)
{
	if (got != want)
		printf("# failed: %s: got %lld, want %lld\n", what, got, want);
	return got == want;
}

bool check_flags(int got, int want, const char *what)
{
	if (got != want)
		printf("# failed: %s: flags got %d, want %d "
		       "(1 raised, 2 violation, 4 finding)\n",
		       what, got, want);
	return got == want;
}

bool check_only(const struct fixture *f, unsigned r, enum mml_class cls,
		bool finding, unsigned long long n)
{
	bool good = true;
	for (int c = 0; c < MML_CLASS_COUNT; c++) {
		for (int fi = 0; fi < 2; fi++) {
			unsigned long long want =
				(c == (int)cls && fi == (int)finding) ? n : 0;
			unsigned long long got = f->o[r].count[c][fi];
			if (got != want) {
				printf("# failed: reader %u count[%s][%s] is %llu, want %llu\n",
				       r, mml_class_name((enum mml_class)c),
				       fi ? "finding" : "expected", got, want);
				good = false;
			}
		}
	}
	return good;
}

int run_scenarios(const struct scenario *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ok(s[i].run(), s[i].name);
	return tap_done();
}
