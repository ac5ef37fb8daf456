#!/bin/sh
# mmlitmus stress: random programs without a fuzzer.  The control op set
# fires and what it saves replays; --seed draws the same programs; a
# signal leaves no worker behind.
# Usage: test_stress.sh MMLITMUS
set -u
. "$(dirname "$0")/tap.sh"
bin=$1
tap_scratch

# usage_error ARGS...: exit 2, nothing on stdout, one line on stderr.
usage_error() {
	"$bin" stress "$@" >"$tmp/out" 2>"$tmp/err"
	code=$?
	sed 's/^/# /' "$tmp/err"
	[ "$code" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q '^mmlitmus: ' "$tmp/err"
}

# The control fires within seconds in random programs, and replay of the
# first input saved fires too; a few rounds, so that a flaky pass shows.
control_saves_and_replays() {
	for round in 1 2 3; do
		rm -rf "$tmp/ctl"
		MMLITMUS_OPS=control "$bin" stress -s 3 -j 1 -o "$tmp/ctl" --seed "$round" \
			>"$tmp/ctl.out" 2>"$tmp/ctl.err"
		code=$?
		grep -E '^(Ran|First)' "$tmp/ctl.out" | sed 's/^/# /'
		saved=$(ls "$tmp/ctl" 2>/dev/null | head -n 1)
		[ "$code" -eq 1 ] && [ -n "$saved" ] || return 1
		"$bin" replay "$tmp/ctl/$saved" >"$tmp/replay.out" 2>&1
		code=$?
		grep '^Reproduced' "$tmp/replay.out" | sed 's/^/# /'
		[ "$code" -eq 1 ] || return 1
	done
}

# The same seed lists the same programs, worker by worker, whatever the
# number of workers; another seed lists others.
seed_lists_same_programs() {
	"$bin" stress --dry-run -n 20 -j 2 --seed 42 >"$tmp/a" &&
		"$bin" stress --dry-run -n 20 -j 2 --seed 42 >"$tmp/b" &&
		"$bin" stress --dry-run -n 20 -j 1 --seed 42 >"$tmp/one" &&
		"$bin" stress --dry-run -n 20 -j 2 --seed 43 >"$tmp/c" || return 1
	echo "# $(grep -c '^# worker' "$tmp/a") programs listed"
	sed '/^# worker 1 /,$d' "$tmp/a" >"$tmp/a0"
	[ "$(grep -c '^# worker' "$tmp/a")" -eq 40 ] && cmp -s "$tmp/a" "$tmp/b" &&
		cmp -s "$tmp/a0" "$tmp/one" && ! cmp -s "$tmp/a" "$tmp/c"
}

# -n bounds the programs of each worker; the atomic op set finds
# nothing on a correct kernel.
programs_bound_and_clean() {
	"$bin" stress -n 15 -j 2 -o "$tmp/clean" >"$tmp/n.out" 2>/dev/null
	code=$?
	grep '^Ran' "$tmp/n.out" | sed 's/^/# /'
	line=$(grep '^Ran' "$tmp/n.out")
	ran=$(echo "$line" | sed -n 's/^Ran \([0-9]*\) programs.* \([0-9]*\) skipped, \([0-9]*\) not run.*/\1 \2 \3/p')
	set -- $ran
	[ "$code" -eq 0 ] && [ $(($1 + $2 + $3)) -eq 30 ]
}

# A SIGTERM to the parent stops the workers: none outlives it, and the
# counts and the inputs saved so far are kept.
signal_leaves_no_worker() {
	rm -rf "$tmp/sig"
	MMLITMUS_OPS=control setsid "$bin" stress -s 60 -j 2 -o "$tmp/sig" \
		>"$tmp/sig.out" 2>"$tmp/sig.err" &
	pid=$!
	sleep 3
	workers=$(pgrep -g "$pid" | grep -vc "^$pid$")
	kill -TERM "$pid"
	wait "$pid"
	code=$?
	sleep 0.2
	left=$(pgrep -g "$pid" | wc -l)
	echo "# $workers workers; exit $code; $left processes left"
	grep '^Ran' "$tmp/sig.out" | sed 's/^/# /'
	[ "$workers" -ge 2 ] && [ "$left" -eq 0 ] && [ "$code" -eq 1 ] &&
		grep -q '^Ran .*, interrupted$' "$tmp/sig.out" &&
		[ -n "$(ls "$tmp/sig")" ]
}

usage_error --bogus
ok $? "an unknown flag is a one-line usage error"
usage_error -j 0
ok $? "no workers is a one-line usage error"
(MMLITMUS_OPS=remap && export MMLITMUS_OPS && usage_error -s 1)
ok $? "a bad op set is a one-line usage error"
usage_error -s 1 -o /proc/self/no-such-dir
ok $? "an output directory that cannot be made is a one-line error"
seed_lists_same_programs
ok $? "--seed lists the same programs, worker by worker"
programs_bound_and_clean
ok $? "-n bounds each worker's programs; the atomic op set finds nothing"
control_saves_and_replays
ok $? "the control op set fires, and replay of the saved input fires (3 rounds)"
signal_leaves_no_worker
ok $? "SIGTERM stops every worker and keeps what was found"
tap_exit
