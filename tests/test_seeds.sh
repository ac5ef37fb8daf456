#!/bin/sh
# The seed corpus: every seed is a valid program, and together they cover
# every op kind, backing, page-order class, read order, delay kind,
# perturber and the writers; and the fuzzers' dictionary is the one the
# encoder gives (tools/make-dict).
# Usage: test_seeds.sh MMLITMUS SEED_DIR
set -u
. "$(dirname "$0")/tap.sh"
bin=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad=0
for f in "$dir"/*.litmus; do
	"$bin" encode -o "$tmp/x" "$f" 2>"$tmp/err" && "$bin" decode "$tmp/x" >>"$tmp/all" ||
		{ bad=1; sed "s|^|# $(basename "$f"): |" "$tmp/err"; }
done
ok $bad "every seed encodes and decodes"

covers() { # covers WHAT PATTERN NAME...: every NAME matches PATTERN-with-NAME
	what=$1 pattern=$2
	shift 2
	missing=""
	for name in "$@"; do
		grep -Eq "$(printf "$pattern" "$name")" "$tmp/all" || missing="$missing $name"
	done
	[ -z "$missing" ] || echo "# no seed has $what:$missing"
	[ -z "$missing" ]
}
covers "op" '^op [0-9]+ %s:' mapfixed munmap mremap dontneed mprotect piecewise \
	shrink grow truncate punch free pageout collapse remove mlock migrate
ok $? "the seeds cover every op kind"
covers "backing" '(^backing %s$|^op .*:%s(:|$))' memfd tmpfs anon hugetlb
ok $? "the seeds cover every backing"
covers "read order" '^reader [0-9]+ %s[ :]' asc desc random stride pingpong single
ok $? "the seeds cover every read order"
covers "delay" 'delay=%s' none spin yield sleep
ok $? "the seeds cover every delay kind"
covers "page order" '^order %s$' 0 4 9
ok $? "the seeds cover base pages, an mTHP order and PMD-sized folios"
covers "perturber" '^perturb %s$' none fork mmap
ok $? "the seeds cover every perturber"
covers "writers" '^write %s$' 0 1
ok $? "the seeds cover readers that write"
root=$(cd "$dir/../.." && pwd)
MMLITMUS=$bin "$root/tools/make-dict" >"$tmp/dict" &&
	diff -u "$root/fuzz/litmus.dict" "$tmp/dict" | sed 's/^/# /' >"$tmp/diff"
[ -f "$tmp/dict" ] && ! [ -s "$tmp/diff" ]
ok $? "fuzz/litmus.dict is what tools/make-dict writes (run it with -o to update)"
[ -s "$tmp/diff" ] && head -20 "$tmp/diff"
tap_exit
