#!/bin/sh
# mmlitmus survey --merge: two hand-made surveys, as mmlitmus-kernels
# labels them (a guest under TCG and the host), and a real one beside
# them become one table with a column each; every cell folds its read
# orders, Nevers keep their bound and calibration, classes their counts,
# skips and rows the model refuses everywhere are listed under the table.
# Usage: test_merge.sh MMLITMUS
set -u
bin=$1
. "$(dirname "$0")/tap.sh"
tap_scratch

# cell OP READ_ORDER STATUS RESULT IT RACING CLASS K FINDINGS CALIBRATED
#      EVIDENCE REASON: one cell over 16 pages of a memfd; K iterations
#      showed CLASS; RESULT and EVIDENCE are JSON (null, "Never", ...).
cell() {
	printf '{"op": "%s", "backing": "memfd", "page_order": 0, "pages": 16, ' "$1"
	printf '"read_order": "%s", "policy": "atomic", "status": "%s", ' "$2" "$3"
	printf '"reason": "%s", "result": %s, "iterations": %s, "racing_reads": %s, ' \
		"${12}" "$4" "$5" "$6"
	printf '"violations": {"%s": {"finding": %s, "expected": 0, "iterations": %s}}, ' \
		"$7" "$9" "$8"
	printf '"violation_iterations": %s, "findings": %s, "calibrated": %s, ' "$8" "$9" "${10}"
	printf '"evidence": %s}' "${11}"
}

never() { # never OP READ_ORDER CALIBRATED
	cell "$1" "$2" ran '"Never"' 100 5000 new-then-stale 0 0 "$3" null ""
}

not_run() { # not_run OP STATUS REASON
	cell "$1" asc "$2" null 0 0 new-then-stale 0 0 null null "$3"
}

# survey LABEL QEMU PAGE_BYTES CELL...: a survey's JSON, its evidence in
# ev/LABEL.
survey() {
	printf '{"format": 1, "kernel": "%s-kernel", "label": "%s", "qemu": %s, ' "$1" "$1" "$2"
	printf '"page_bytes": %s, "cell_seconds": 1.0, "evidence_dir": "ev/%s", ' "$3" "$1"
	printf '"read_orders": ["asc", "random"], "cells": ['
	shift 3
	sep=
	for c in "$@"; do
		printf '%s%s' "$sep" "$c"
		sep=', '
	done
	printf ']}\n'
}

survey 6.1 '{"image": "linux-image-6.1", "accel": "tcg"}' 4096 \
	"$(never mapfixed asc true)" "$(never mapfixed random false)" \
	"$(cell munmap asc ran '"Sometimes"' 100 5000 hole-then-data 3 0 true \
		'{"program": "munmap-asc.bin", "picture": "munmap-asc.svg"}' "")" \
	"$(cell piecewise asc ran '"Always"' 100 5000 new-then-stale 100 0 true null "")" \
	"$(not_run migrate skipped "needs a second node")" \
	"$(not_run free n/a "MADV_FREE takes anonymous memory")" >"$tmp/k1.json"
survey host null 16384 \
	"$(cell mapfixed asc ran '"Sometimes"' 100 5000 new-then-stale 1 1 true null "")" \
	"$(never munmap asc false)" "$(never piecewise asc true)" \
	"$(not_run migrate skipped "needs a second node")" \
	"$(not_run free n/a "MADV_FREE takes anonymous memory")" \
	"$(never mlock asc true)" >"$tmp/k2.json"

# --min-racing 1: as in test_survey.py, any racing read proves overlap.
"$bin" survey --cell-seconds 0.5 --ops mapfixed,piecewise --backings memfd \
	--page-orders 0 --read-orders asc,desc --min-racing 1 --no-progress \
	--markdown /dev/null --json-file "$tmp/real.json" 2>"$tmp/err"
ok $? "a real survey of two rows and two read orders ran"
sed 's/^/# /' "$tmp/err"

"$bin" survey --merge "$tmp/k1.json" "$tmp/k2.json" "$tmp/real.json" \
	>"$tmp/table" 2>"$tmp/err"
code=$?
sed 's/^/# /' "$tmp/table" "$tmp/err"
release=$(uname -r)
row() { grep "^| $1 | " "$tmp/table"; }

[ "$code" -eq 1 ] &&
	grep -qx "| op | policy | backing | pages | 6.1 | host | $release |" "$tmp/table"
ok $? "a column per survey, named by its label, else by its kernel; exit 1 for a finding"

grep -qx '\* \*\*6.1\*\*: Linux 6.1-kernel, linux-image-6.1 under qemu (TCG); 4 cells of 1.00 s.' "$tmp/table" &&
	grep -qx '\* \*\*host\*\*: Linux host-kernel, the host; 4 cells of 1.00 s.' "$tmp/table" &&
	grep -q '^\* TCG: under TCG' "$tmp/table" &&
	grep -q "^\* A cell folds that kernel's cells of the row, one per read order (asc, random, desc): " "$tmp/table"
ok $? "above the table: each survey, where and how it ran, the TCG caveat and the fold"

row mapfixed | grep -qF '| Never ≤1.5% (200 it, 10k racing; calibrated in 1 of 2) | Sometimes: new-then-stale 1 of 100 it FINDING (0.18-5.4%) |'
ok $? "two read orders fold into one Never with summed counts; a class seen is no Never"

row munmap | grep -qF '| Sometimes: hole-then-data 3 of 100 it (1-8.5%) ([program](ev/6.1/munmap-asc.bin), [picture](ev/6.1/munmap-asc.svg), asc) | **Never, uncalibrated ≤3% (100 it, 5.0k racing; calibrated in 0 of 1)** | not in this survey |'
ok $? "a violation links its evidence; a Never no control calibrates is in bold; a row a survey lacks says so"

row piecewise | grep -qF '| Always: new-then-stale 100 of 100 it (96-100%) | Never ≤3% (100 it, 5.0k racing; calibrated in 1 of 1) |' &&
	grep -q '^\* piecewise over memfd 16 x 4 KiB: 6.1 96-100%, host 0-3%, ' "$tmp/table" &&
	! grep -q '^\* munmap over' "$tmp/table"
ok $? "rates whose intervals do not overlap are listed, overlapping ones not"

row migrate | grep -q '| skipped (1) | skipped (1) | not in this survey |$' &&
	grep -qx '1. needs a second node' "$tmp/table" && ! row free >/dev/null &&
	grep -q 'refuses them on every kernel: free over memfd at 16 x 4 KiB (MADV_FREE takes anonymous memory)\.$' "$tmp/table"
ok $? "a skip is numbered with its reason under the table; a row refused everywhere is listed, not drawn"

row mlock | grep -q '^| mlock | atomic | memfd | 16 x 16 KiB |'
ok $? "a row's region is counted in the pages of the survey it comes from"

# The fold counts the read orders that made a Never: one that raced too
# little here is Inconclusive and left out of it.
set -- $(python3 -c 'import json, sys
nevers = [c for c in json.load(open(sys.argv[1]))["cells"]
          if c["op"] == "mapfixed" and c["result"] == "Never"]
print(len(nevers), sum(c["calibrated"] is True for c in nevers))' "$tmp/real.json")
nevers=$1 calibrated=$2
if [ "$nevers" -gt 0 ]; then
	row mapfixed | grep -q "| Never ≤[0-9.]*% ([^)]*; calibrated in $calibrated of $nevers) |\$"
else
	row mapfixed | grep -q "| Inconclusive ([^|]*) |\$"
fi &&
	row piecewise | grep -qE '\| (Always|Sometimes|Never)[^|]* \|$'
folded=$?
what="the real survey's read orders fold into its column ($calibrated of $nevers Nevers calibrated)"
[ "$nevers" -gt 0 ] || what="$what # SKIP no Never on this machine in 0.5 s cells"
ok $folded "$what"

"$bin" survey --merge --markdown "$tmp/again" "$tmp/real.json" "$tmp/k1.json"
code=$?
[ "$code" -eq 0 ] && grep -q "| op | policy | backing | pages | $release | 6.1 |" "$tmp/again" &&
	grep -qE "^\| mapfixed \| atomic \| memfd \| 16 x 4 KiB \| (Never|Inconclusive)" "$tmp/again"
ok $? "--markdown writes the table there; in the order given; exit 0 without a finding"

echo '{"kernel": "k", "cell_seconds": 1, "cells": [{"op": 1}]}' >"$tmp/bad.json"
"$bin" survey --merge "$tmp/k1.json" "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
code=$?
sed 's/^/# /' "$tmp/err"
[ "$code" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -q "bad.json: not a survey's JSON: cell 0: " "$tmp/err"
ok $? "a file that is not a survey's JSON: one line naming it, exit 2, no table"
tap_exit
