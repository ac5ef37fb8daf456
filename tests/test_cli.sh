#!/bin/sh
# The command line: exit codes, one-line errors, JSON, seeds, interruption.
# Usage: test_cli.sh MMLITMUS MAN_PAGE (doc/mmlitmus.1)
set -u
. "$(dirname "$0")/help.sh"
bin=$1
man_page=$2
docs=$(dirname "$man_page")
tmp=$(mktemp -d)
# A setting a test changes goes back even when the test dies.
restore_file=
restore_value=
trap 'rm -rf "$tmp"; [ -z "$restore_file" ] || echo "$restore_value" >"$restore_file"' EXIT
n=0
failed=0

skip() { # skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

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

# The flags of the table (the flag lines of --help: getopt's tables and the
# help are made from one table) and the flags the man page names: two
# lists that must be one.  The rest of the help names no other flag.
flags_of_page() {
	sed 's/\\-/-/g; s/\\f[A-Z]//g' "$1" |
		grep -oE -- '(^|[^A-Za-z0-9-])--?[a-z][a-z-]*' | sed 's/^[^-]*//' |
		grep -vx -- '-[a-z][a-z-]\{1,\}'
}
same_flags_everywhere() {
	"$bin" --help >"$tmp/help" || return 1
	help_flags "$tmp/help" | sort -u >"$tmp/flags.table"
	flags_named "$tmp/help" | sort -u >"$tmp/flags.help"
	flags_of_page "$man_page" | sort -u >"$tmp/flags.page"
	[ "$(wc -l <"$tmp/flags.table")" -gt 40 ] || { echo "# too few flags found in --help"; return 1; }
	good=0
	if ! cmp -s "$tmp/flags.table" "$tmp/flags.page"; then
		diff "$tmp/flags.table" "$tmp/flags.page" | grep '^[<>]' |
			sed "s/^</# only in the table:/; s/^>/# only in the page:/"
		good=1
	fi
	comm -13 "$tmp/flags.table" "$tmp/flags.help" >"$tmp/flags.prose"
	if [ -s "$tmp/flags.prose" ]; then
		sed 's/^/# named by the help, not in its table: /' "$tmp/flags.prose"
		good=1
	fi
	echo "# $(wc -l <"$tmp/flags.table") flags"
	return $good
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
	grep -E '^(Observation|Verdict)' "$tmp/piecewise" | sed 's/^/# /'
	[ "$code" -eq 1 ] && grep -Eq '^Observation piecewise (Sometimes|Always) [1-9]' "$tmp/piecewise" &&
		grep -q '^Verdict fired (control)' "$tmp/piecewise"
}

# The answer line opens the report, right after the program, and closes it.
answer_opens_and_closes() {
	"$bin" -s 1 >"$tmp/answer" 2>&1
	answer='^(mapfixed: atomic here\. Never in [0-9,]+ iterations, [0-9.,]+[MG]? racing reads|INCONCLUSIVE: .*)$'
	sed -n '15p;$p' "$tmp/answer" | sed 's/^/# /'
	sed -n 15p "$tmp/answer" | grep -Eq "$answer" &&
		tail -n 1 "$tmp/answer" | grep -Eq "$answer" &&
		sed -n 14p "$tmp/answer" | grep -q '^  repeat '
}

# A control that fires says so at the top, with its rate.
control_answer() {
	"$bin" -o piecewise -s 1 | sed -n 15p | grep -Eq '^piecewise: fired \(control\)\. new-then-stale in [0-9,]+ of [0-9,]+ iterations'
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
	# 20 runs: the control fires in a few runs of five on some machines.
	"$bin" replay -n 20 "$tmp/c.litmus" >"$tmp/c.out" 2>&1
	code=$?
	grep '^Reproduced' "$tmp/c.out" | sed 's/^/# /'
	[ "$code" -eq 1 ] && grep -Eq '^Reproduced [1-9][0-9]? of 20 runs' "$tmp/c.out" &&
		grep -q '^Evidence 1: new-then-stale' "$tmp/c.out" &&
		[ "$(grep -c '^  op 1 piecewise' "$tmp/c.out")" -eq 2 ] &&
		grep -q '^Verdict fired (control)' "$tmp/c.out"
}

# The commands of the table, each with -h and --help.
every_command_helps() {
	"$bin" --help >"$tmp/help" || return 1
	commands=$(help_commands "$tmp/help")
	echo "# commands:" $commands
	[ "$(echo "$commands" | wc -w)" -gt 5 ] || return 1
	for c in $commands; do
		for h in -h --help; do
			"$bin" "$c" "$h" | grep -q '^Usage: mmlitmus' || return 1
		done
	done
}

# replay --json: the rate and a report, each fitting its schema.
replay_json() {
	"$bin" replay --json -n 3 "$tmp/c.litmus" >"$tmp/r.json"
	[ $? -eq 1 ] || return 1
	python3 - "$tmp/r.json" "$docs/replay.schema.json" "$docs/report.schema.json" <<'PY'
import json, sys
import jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[2])))
jsonschema.validate(doc["report"], json.load(open(sys.argv[3])))
assert doc["fired"] >= 1 and doc["runs"] == 3, doc
PY
}

# --first stops at the first firing run and says that the count is no rate.
replay_first() {
	"$bin" replay --first -n 200 "$tmp/c.litmus" >"$tmp/c1.out" 2>&1
	code=$?
	grep '^Reproduced' "$tmp/c1.out" | sed 's/^/# /'
	[ $code -eq 1 ] && grep -Eq '^Reproduced 1 of [0-9]+ runs.*no rate' "$tmp/c1.out"
}

any_bytes_decode() {
	head -c 7 /dev/urandom >"$tmp/trunc" &&
		"$bin" decode "$tmp/trunc" 2>/dev/null | grep -q '^pages ' &&
		: >"$tmp/empty" && "$bin" decode "$tmp/empty" 2>/dev/null | grep -q '^pages 1$'
}

# Order 1 (8 kB) folios are never offered to anonymous memory.
order_not_offered() {
	usage_error -b anon -o mapfixed:anon --page-order 1 &&
		grep -q 'transparent_hugepage/hugepages-8kB/enabled' "$tmp/err"
}

# As another user than root, --huge-setup refuses in one line.
huge_setup_needs_root() {
	as=
	[ "$(id -u)" -ne 0 ] || as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$as "$bin" -b anon -o mapfixed:anon --page-order 9 --huge-setup -n 1 \
		>"$tmp/out" 2>"$tmp/err"
	code=$?
	sed 's/^/# /' "$tmp/err"
	[ "$code" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q -- '--huge-setup needs root' "$tmp/err"
}

thp_64k=/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled
setting() { sed -n 's/.*\[\(.*\)\].*/\1/p' "$1"; }

# --huge-setup turns 64 kB anonymous folios on for the run and puts the
# setting back when SIGNALS stop it: one ends the run (exit 0), two end
# the process at once (the second kills it).  Two of one kind could merge
# into one while pending, hence two kinds.
huge_setup_restores() {
	restore_file=$thp_64k
	restore_value=$(setting "$thp_64k")
	"$bin" -b anon -o mapfixed:anon --page-order 4 --huge-setup -s 30 \
		--no-progress >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep 2
	during=$(setting "$thp_64k")
	for sig in $1; do
		kill -"$sig" "$pid"
	done
	wait "$pid"
	code=$?
	after=$(setting "$thp_64k")
	echo "# $thp_64k: $restore_value, during the run $during, after $after ($1: exit $code)"
	[ "$after" = "$restore_value" ] || echo "$restore_value" >"$thp_64k"
	restore_file=
	[ "$during" = madvise ] && [ "$after" = "$restore_value" ] &&
		{ [ "$1" = TERM ] && [ "$code" -eq 0 ] || [ "$code" -gt 128 ]; }
}

# The run fails after the setup (a CPU it may not use): the error exit
# puts the setting back too.
huge_setup_restores_on_error() {
	restore_file=$thp_64k
	restore_value=$(setting "$thp_64k")
	"$bin" -b anon -o mapfixed:anon --page-order 4 --huge-setup -n 1 \
		--mapper-cpu 1023 >"$tmp/out" 2>"$tmp/err"
	code=$?
	after=$(setting "$thp_64k")
	sed 's/^/# /' "$tmp/err"
	[ "$after" = "$restore_value" ] || echo "$restore_value" >"$thp_64k"
	restore_file=
	[ "$code" -eq 2 ] && grep -q "hugepages-64kB/enabled: madvise, was" "$tmp/err" &&
		[ "$after" = "$restore_value" ]
}

# Only as root, and only where the setup has something to change.
check_huge_setup() {
	description=$1
	shift
	if [ "$(id -u)" -ne 0 ]; then
		skip "$description" "not root"
	elif [ "$(setting "$thp_64k" 2>/dev/null)" != never ]; then
		skip "$description" "$thp_64k is missing or not never"
	else
		check "$description" "$@"
	fi
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

check "the table of flags (--help) and the man page name the same flags" same_flags_everywhere
check "every command answers -h and --help with the usage, exit 0" every_command_helps
check "an unknown flag is a one-line usage error" usage_error --bogus
check "a bad number is a one-line usage error" usage_error --pages twelve
check "an impossible program is a one-line usage error" usage_error -o munmap:8-99
check "an unknown op is a one-line usage error" usage_error -o remap
check "a CPU this process may not use is a one-line error" usage_error --mapper-cpu 1023
check "a reader order that does not fit the region is refused" usage_error --read-order single:16
check "running out of memory in set-up is a one-line error" out_of_memory_is_an_error
check "--json prints one clean JSON object" json_run_is_clean
check "--seed reproduces the schedule" seed_reproduces_schedule
check "the piecewise control fires: exit 1, verdict fired (control)" control_is_expected
check "the answer line follows the program and ends the report" answer_opens_and_closes
check "a control's answer line says it fired, with its rate" control_answer
check "no arguments run the classic test" default_is_classic
check "SIGINT stops the run and the report still comes out" interrupt_flushes_report
check "text -> bytes -> text is the identity, bytes round trip too" text_round_trip
check "run FILE takes both forms" run_file_reports_it
check "replay prints the rate, the program once and the evidence; exit 1 when it fired" replay_rate
check "replay --first stops at the first firing and says it is no rate" replay_first
check "replay --json fits doc/replay.schema.json, its report doc/report.schema.json" replay_json
check "truncated and empty inputs decode to programs" any_bytes_decode
check "decode without a FILE is a usage error" usage_error decode
check "a missing FILE is a one-line error" usage_error decode "$tmp/nonexistent"
check "a text program with an error names its line" sh -c "printf 'pages 4\\nbogus 1\\n' >'$tmp/bad.litmus'; '$bin' encode -o '$tmp/bad.bin' '$tmp/bad.litmus' 2>&1 | grep -q 'line 2: unknown key'"
check "a program file with program flags is refused" usage_error run -p 3 "$tmp/m.litmus"
check "a bad cap variable is a one-line error" env MMLITMUS_MAX_PAGES=lots sh -c "'$bin' replay '$tmp/m.litmus' >/dev/null 2>'$tmp/cap'; [ \$? -eq 2 ] && grep -q MMLITMUS_MAX_PAGES '$tmp/cap'"
check "replay without runs is refused" usage_error replay -n 0 "$tmp/m.litmus"
check "encode with two files is refused" usage_error encode "$tmp/m.litmus" "$tmp/p.litmus"
check "a folio size the kernel does not offer is a one-line error naming its file" order_not_offered
check "--huge-setup without root is a one-line error" huge_setup_needs_root
check_huge_setup "--huge-setup puts the setting back when SIGTERM ends the run" \
	huge_setup_restores TERM
check_huge_setup "and when a second signal ends the process at once" \
	huge_setup_restores "INT TERM"
check_huge_setup "and when the run fails after the setup" huge_setup_restores_on_error
check "--write and 'write 1' in a file both store and judge" write_flag_and_file_agree
echo "1..$n"
exit $failed
