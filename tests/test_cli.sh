#!/bin/sh
# The command line: exit codes, one-line errors, JSON, seeds, interruption.
# Usage: test_cli.sh MMLITMUS MAIN_C README
set -u
bin=$1
main_c=$2
readme=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
	n=$((n + 1))
	desc=$1
	shift
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=1
	fi
}

# usage_error ARGS...: exit 2, nothing on stdout, one line on stderr.
usage_error() {
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	code=$?
	lines=$(wc -l <"$tmp/err")
	sed 's/^/# /' "$tmp/err"
	[ "$code" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$lines" -eq 1 ] &&
		grep -q '^mmlitmus: ' "$tmp/err"
}

every_flag_documented() {
	"$bin" --help >"$tmp/help" || return 1
	python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' \
		"$tmp/help" "$readme" || { echo "# README.md does not hold the --help text"; return 1; }
	flags=$(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", .*/\1/p' "$main_c")
	[ -n "$flags" ] || return 1
	for f in $flags; do
		grep -q -- "--$f" "$tmp/help" || { echo "# --$f is not in --help"; return 1; }
		grep -q -- "--$f" "$readme" || { echo "# --$f is not in README.md"; return 1; }
	done
}

json_field() { # json_field FILE EXPR: print a field of the JSON object
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

json_run_is_clean() {
	"$bin" --json -s 1 --no-progress >"$tmp/run.json" || return 1
	result=$(json_field "$tmp/run.json" 'd["observation"]["result"]') || return 1
	echo "# observation $result"
	[ "$(json_field "$tmp/run.json" 'd["format"]')" = 1 ] &&
		[ "$(json_field "$tmp/run.json" 'd["verdict"]["finding"]')" = False ] &&
		{ [ "$result" = Never ] || [ "$result" = Inconclusive ]; }
}

seed_reproduces_schedule() {
	"$bin" --json -n 20 --seed 42 --delay spin:500 --read-order random >"$tmp/a.json" &&
		"$bin" --json -n 20 --seed 42 --delay spin:500 --read-order random >"$tmp/b.json" || return 1
	a=$(json_field "$tmp/a.json" 'd["seed"], d["run_base"]')
	b=$(json_field "$tmp/b.json" 'd["seed"], d["run_base"]')
	echo "# $a / $b"
	[ "$a" = "$b" ]
}

# Set-up that runs out of memory is a one-line error too (an address space
# limit makes reserving a 4 GiB region fail).
out_of_memory_is_an_error() {
	(ulimit -v 400000 && usage_error -p 1000000)
}

control_is_expected() {
	"$bin" -o piecewise -s 1 >"$tmp/piecewise" 2>&1
	code=$?
	grep '^Observation' "$tmp/piecewise" | sed 's/^/# /'
	[ "$code" -eq 0 ] && grep -Eq '^Observation piecewise (Sometimes|Always) [1-9]' "$tmp/piecewise"
}

interrupt_flushes_report() {
	"$bin" -s 60 >"$tmp/int" 2>&1 &
	pid=$!
	sleep 2
	kill -INT "$pid"
	wait "$pid"
	code=$?
	grep -E '^(Observation|Interrupted)' "$tmp/int" | sed 's/^/# /'
	[ "$code" -eq 0 ] && grep -q '^Interrupted' "$tmp/int" && grep -q '^Observation mapfixed' "$tmp/int"
}

default_is_classic() {
	"$bin" >"$tmp/classic" 2>&1
	code=$?
	grep -E '^(Observation|Verdict)' "$tmp/classic" | sed 's/^/# /'
	[ "$code" -eq 0 ] && grep -q '^  op 1 mapfixed:0-16:memfd$' "$tmp/classic" &&
		grep -Eq '^Observation mapfixed (Never|Inconclusive) 0 [1-9]' "$tmp/classic"
}

text_round_trip() {
	printf 'pages 8\nop 1 mapfixed:0-4:anon\nop 2 piecewise:2-6:desc\nreader 0 stride:3\nrepeat 2\n' >"$tmp/p.litmus"
	"$bin" encode -o "$tmp/p.bin" "$tmp/p.litmus" &&
		"$bin" decode "$tmp/p.bin" >"$tmp/p1.litmus" &&
		"$bin" encode -o "$tmp/p2.bin" "$tmp/p1.litmus" &&
		"$bin" decode "$tmp/p2.bin" >"$tmp/p2.litmus" || return 1
	cmp -s "$tmp/p.bin" "$tmp/p2.bin" && cmp -s "$tmp/p1.litmus" "$tmp/p2.litmus" &&
		grep -q '^op 2 piecewise:2-6:memfd:desc$' "$tmp/p1.litmus"
}

run_file_reports_it() {
	printf 'pages 4\nop 1 mprotect:none\nop 2 mprotect:read\n' >"$tmp/m.litmus"
	"$bin" run -n 50 --no-progress "$tmp/m.litmus" >"$tmp/m.out" 2>&1 &&
		"$bin" encode -o "$tmp/m.bin" "$tmp/m.litmus" &&
		"$bin" -n 50 --no-progress "$tmp/m.bin" >"$tmp/m2.out" 2>&1 || return 1
	grep -q '^  op 2 mprotect:0-4:read$' "$tmp/m.out" &&
		grep -q '^Observation mprotect+mprotect ' "$tmp/m2.out"
}

replay_rate() {
	printf 'pages 16\nop 1 piecewise:asc\nreader 0 asc\nrepeat 4\n' >"$tmp/c.litmus"
	"$bin" replay -n 5 --all "$tmp/c.litmus" >"$tmp/c.out" 2>&1
	code=$?
	grep '^Reproduced' "$tmp/c.out" | sed 's/^/# /'
	[ "$code" -eq 1 ] && grep -Eq '^Reproduced [1-9] of 5 runs' "$tmp/c.out" &&
		grep -q '^Evidence 1: new-then-stale' "$tmp/c.out"
}

any_bytes_decode() {
	head -c 7 /dev/urandom >"$tmp/trunc" &&
		"$bin" decode "$tmp/trunc" 2>/dev/null | grep -q '^pages ' &&
		: >"$tmp/empty" && "$bin" decode "$tmp/empty" 2>/dev/null | grep -q '^pages 1$'
}

write_flag_and_file_agree() {
	"$bin" --write -n 20 --json --no-progress >"$tmp/w.json" || return 1
	printf 'pages 16\nop 1 mapfixed\nwrite 1\n' >"$tmp/w.litmus"
	"$bin" run -n 20 --no-progress "$tmp/w.litmus" >"$tmp/w.out" 2>&1 || return 1
	grep '^Writes' "$tmp/w.out" | sed 's/^/# /'
	[ "$(json_field "$tmp/w.json" 'd["program"]["write"], d["writes"] > 0, d["checked_writes"] > 0')" = \
		"True True True" ] &&
		grep -q '^  write 1$' "$tmp/w.out" && grep -Eq '^Writes [1-9]' "$tmp/w.out"
}

echo "1..25"
check "--help and README.md document every flag" every_flag_documented
check "an unknown flag is a one-line usage error" usage_error --bogus
check "a bad number is a one-line usage error" usage_error --pages twelve
check "an impossible program is a one-line usage error" usage_error -o munmap:8-99
check "an unknown op is a one-line usage error" usage_error -o remap
check "a CPU this process may not use is a one-line error" usage_error --mapper-cpu 1023
check "a reader order that does not fit the region is refused" usage_error --read-order single:16
check "running out of memory in set-up is a one-line error" out_of_memory_is_an_error
check "--json prints one clean JSON object" json_run_is_clean
check "--seed reproduces the schedule" seed_reproduces_schedule
check "the piecewise control fires and exits 0 (expected)" control_is_expected
check "no arguments run the classic test" default_is_classic
check "SIGINT stops the run and the report still comes out" interrupt_flushes_report
check "text -> bytes -> text is the identity, bytes round trip too" text_round_trip
check "run FILE takes both forms" run_file_reports_it
check "replay prints the rate and the evidence, exit 1 when it fired" replay_rate
check "truncated and empty inputs decode to programs" any_bytes_decode
check "decode without a FILE is a usage error" usage_error decode
check "a missing FILE is a one-line error" usage_error decode "$tmp/nonexistent"
check "a text program with an error names its line" sh -c "printf 'pages 4\\nbogus 1\\n' >'$tmp/bad.litmus'; '$bin' encode -o '$tmp/bad.bin' '$tmp/bad.litmus' 2>&1 | grep -q 'line 2: unknown key'"
check "a program file with program flags is refused" usage_error run -p 3 "$tmp/m.litmus"
check "a bad cap variable is a one-line error" env MMLITMUS_MAX_PAGES=lots sh -c "'$bin' replay '$tmp/m.litmus' >/dev/null 2>'$tmp/cap'; [ \$? -eq 2 ] && grep -q MMLITMUS_MAX_PAGES '$tmp/cap'"
check "replay without runs is refused" usage_error replay -n 0 "$tmp/m.litmus"
check "encode with two files is refused" usage_error encode "$tmp/m.litmus" "$tmp/p.litmus"
check "--write and 'write 1' in a file both store and judge" write_flag_and_file_agree
exit $failed
