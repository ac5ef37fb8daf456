#!/bin/sh
# mmlitmus triage: crash files of a few shapes, some not programs at all,
# become one row per shape with a rate; the JSON fits its schema.
# Usage: test_triage.sh MMLITMUS SCHEMA (doc/triage.schema.json)
set -u
bin=$1
schema=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/tap.sh"

# Control programs in two decodings that show one signature (piecewise
# blamed on memfd, order 0), one on anonymous memory, a program that
# cannot fire, and files that hold no program.
make_crashes() {
	mkdir -p "$tmp/out/main/crashes" "$tmp/out/s1/crashes" "$tmp/out/main/queue"
	printf 'pages 2\nop 1 piecewise\nreader 0 asc\nrepeat 50\n' >"$tmp/a.litmus"
	printf 'pages 4\nop 1 piecewise\nop 2 mprotect:read\nreader 0 desc\nrepeat 50\n' >"$tmp/b.litmus"
	printf 'pages 8\nbacking anon\nop 1 piecewise:anon\nreader 0 asc\nrepeat 50\n' >"$tmp/c.litmus"
	printf 'pages 16\nop 1 mapfixed\nreader 0 asc\nrepeat 2\n' >"$tmp/d.litmus"
	for f in a b c d; do
		"$bin" encode -o "$tmp/out/main/crashes/id:$f" "$tmp/$f.litmus" || return 1
	done
	cp "$tmp/out/main/crashes/id:a" "$tmp/out/s1/crashes/id:a-again"
	cp "$tmp/out/main/crashes/id:d" "$tmp/out/main/queue/id:not-a-crash"
	printf '\007garbage' >"$tmp/out/s1/crashes/id:version"
	: >"$tmp/out/s1/crashes/id:empty"
	printf 'pages 4\nbogus 1\n' >"$tmp/out/s1/crashes/id:text"
	echo "AFL++ writes this" >"$tmp/out/main/crashes/README.txt"
}

json_field() { # json_field FILE EXPR: EXPR of the parsed document d, printed
	python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"
}

# Twenty runs a file: the controls fire in about 85 % of runs of 50
# iterations alone, far fewer while other tests share the CPUs.
groups_and_rates() {
	"$bin" triage -n 20 "$tmp/out" >"$tmp/table" 2>"$tmp/err"
	code=$?
	sed 's/^/# /' "$tmp/table"
	[ "$code" -eq 0 ] || return 1
	grep -q '^Triage of 8 files: 3 groups' "$tmp/table" &&
		grep -q '^Not programs: 3, empty 1, unknown version byte 1, text that does not parse 1;' "$tmp/table" &&
		grep -Eq '^\| 1 \| new-then-stale expected by piecewise \(ops piecewise\) on memfd order 0 \| 3 \| [1-9][0-9]*/40 \| control fired \|' "$tmp/table" &&
		grep -Eq '^\| 2 \| new-then-stale expected by piecewise \(ops piecewise\) on anon order 0 \| 1 \| [1-9][0-9]*/20 \| control fired \|' "$tmp/table" &&
		grep -q '^| 3 | mapfixed on memfd order 0 | 1 | 0/20 | did not reproduce |' "$tmp/table"
}

json_fits_schema() {
	"$bin" triage -n 2 --json "$tmp/out" >"$tmp/t.json" || return 1
	python3 - "$tmp/t.json" "$schema" <<'PY'
import json, sys
import jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[2])))
files = sorted(f for g in doc["groups"] for f in g["files"])
assert len(files) == 5 and not any("queue" in f for f in files), files
assert doc["not_programs"] == {"io": 0, "empty": 1, "version": 1, "text": 1}
assert doc["groups"][0]["corpus_name"] == "piecewise-memfd-o0-new-then-stale"
PY
}

single_files_and_dirs() {
	"$bin" triage -n 1 "$tmp/out/main/crashes/id:c" "$tmp/out/s1/crashes" >"$tmp/mixed" &&
		grep -q '^Triage of 5 files: 2 groups' "$tmp/mixed"
}

# Thousands of files group by decoding alone first; the budget bounds the
# replays.
thousands_of_files() {
	mkdir -p "$tmp/many"
	i=0
	while [ $i -lt 2000 ]; do
		cp "$tmp/out/main/crashes/id:d" "$tmp/many/crash-$i"
		i=$((i + 1))
	done
	"$bin" triage -n 1000 --budget 2 "$tmp/many" >"$tmp/many.out" &&
		grep -q '^Triage of 2000 files: 1 group' "$tmp/many.out" &&
		grep -q '^| 1 | mapfixed on memfd order 0 | 2000 |' "$tmp/many.out"
}

interrupt_keeps_the_table() {
	"$bin" triage -n 100000 "$tmp/many" >"$tmp/int.out" 2>&1 &
	pid=$!
	sleep 1
	kill -INT $pid
	wait $pid
	code=$?
	[ "$code" -eq 0 ] && grep -q '^Triage of 2000 files: 1 group, replays .*interrupted' "$tmp/int.out"
}

one_line_error() { # one_line_error ARGS...: exit 2 and one line on stderr
	"$bin" triage "$@" >/dev/null 2>"$tmp/e"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ]
}

make_crashes
ok $? "crash files of four programs and four files that are not inputs"
groups_and_rates
ok $? "three groups: two decodings of one signature merged, rates, a program that did not reproduce"
json_fits_schema
ok $? "--json fits doc/triage.schema.json and counts what is not a program"
single_files_and_dirs
ok $? "single files and a crashes directory together"
thousands_of_files
ok $? "2000 files: one group, replays bounded by --budget"
interrupt_keeps_the_table
ok $? "SIGINT stops the replays and the table still comes out"
one_line_error "$tmp/nonexistent"
ok $? "a missing path is a one-line error"
one_line_error --bogus "$tmp/out"
ok $? "an unknown flag is a one-line error"
one_line_error --add "$tmp/out"
ok $? "--add without --minimize is a one-line error"
one_line_error
ok $? "no path is a one-line error"
tap_exit
