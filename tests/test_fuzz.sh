#!/bin/sh
# The fuzz targets end to end.  One scenario per run:
#   libfuzzer-smoke FUZZER MMLITMUS SECONDS  default op set: no crash
#   afl-smoke FUZZER MMLITMUS SECONDS        default op set: no crash
#   decoder FUZZER SECONDS                   decoder properties under ASan
#   model FUZZER SECONDS                     oracle against the reference
#                                            on the kernel model, under ASan
#   control FUZZER MMLITMUS                  control mode: crash, replay,
#                                            minimize, corpus-add
#   minimize-refused FUZZER MMLITMUS         a candidate the machine refuses
#                                            is a step not taken
#   kill FUZZER MMLITMUS                     a killed entry point leaves no
#                                            process behind
#   planted FUZZER MMLITMUS BUG              the custom mutator finds the
#                                            planted bug mremap-after-mprotect
#   afl-instances FUZZER                     tools/fuzz-afl: two instances
#                                            in one sync dir, then resumed
#   clusterfuzzlite                          .clusterfuzzlite/build.sh with
#                                            the builders' variables
# Seeds come from corpus/seed/*.litmus, encoded by MMLITMUS.
set -u
. "$(dirname "$0")/tap.sh"
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

encode_seeds() { # encode_seeds MMLITMUS DIR
	mkdir -p "$2"
	for f in "$root"/corpus/seed/*.litmus; do
		"$1" encode -o "$2/$(basename "$f" .litmus)" "$f" || return 1
	done
}

libfuzzer_smoke() { # FUZZER MMLITMUS SECONDS
	encode_seeds "$2" "$tmp/seed"
	mkdir "$tmp/corpus"
	(cd "$tmp" && "$1" -max_total_time="$3" -print_final_stats=1 \
		-dict="$root/fuzz/litmus.dict" -artifact_prefix="$tmp/" corpus seed \
		>"$tmp/log" 2>&1)
	code=$?
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$tmp/log" | sed 's/^/# /'
	ok "$code" "libFuzzer ran $3 s with the default op set and exited cleanly"
	[ $code -eq 0 ] && ! ls "$tmp"/crash-* >/dev/null 2>&1
	ok $? "no crash file (no finding on this kernel)"
	[ $code -eq 0 ] || tail -40 "$tmp/log" | sed 's/^/# /'
}

# AFL++'s custom mutator, which the build without fuzzing builds (afl-fuzz
# cannot load code afl-clang-fast instrumented): where tools/fuzz-afl
# takes it from.
afl_mutator="$root/build/fuzz/fuzz-litmus-mutator.so"

# The queue entries the custom mutator made: AFL++ ends their names with
# what its describe function said.
mutated_entries() { # QUEUE_DIR
	ls "$1" 2>/dev/null | grep -cE ',(insert|delete|op|params|range|region|pages|order|backing|knob|reader-add|reader-remove|reader|crossover)(,|$)'
}

afl_smoke() { # FUZZER MMLITMUS SECONDS
	encode_seeds "$2" "$tmp/seed"
	MMLITMUS_KILL_TEST=$$ AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		AFL_NO_AFFINITY=1 AFL_QUIET=1 AFL_CUSTOM_MUTATOR_LIBRARY="$afl_mutator" \
		afl-fuzz -i "$tmp/seed" -o "$tmp/out" -V "$3" -t 2000 \
		-x "$root/fuzz/litmus.dict" -- "$1" \
		>"$tmp/log" 2>&1
	code=$?
	stats="$tmp/out/default/fuzzer_stats"
	grep -E '^(execs_done|execs_per_sec|saved_crashes|edges_found)' "$stats" 2>/dev/null | sed 's/^/# /'
	[ $code -eq 0 ] && [ -f "$stats" ]
	ok $? "afl-fuzz ran $3 s with the default op set and the custom mutator"
	[ $code -eq 0 ] && [ "$(sed -n 's/^saved_crashes *: *//p' "$stats" 2>/dev/null)" = 0 ]
	ok $? "no crash (no finding on this kernel)"
	[ $code -eq 0 ] || tail -40 "$tmp/log" | sed 's/^/# /'
	made=$(mutated_entries "$tmp/out/default/queue")
	echo "# $made of $(ls "$tmp/out/default/queue" | grep -c '^id:') queue entries made by it"
	[ "$made" -gt 0 ]
	ok $? "the custom mutator's changes made queue entries"
	sleep 1
	[ -z "$(tagged)" ]
	ok $? "nothing of AFL++'s or ours is left once -V has stopped it"
}

# A sanitized pure target for SECONDS: it aborts when its property fails.
sanitized() { # FUZZER SECONDS WHAT
	mkdir "$tmp/corpus"
	(cd "$tmp" && "$1" -max_total_time="$2" -print_final_stats=1 \
		-artifact_prefix="$tmp/" corpus >"$tmp/log" 2>&1)
	code=$?
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$tmp/log" | sed 's/^/# /'
	[ $code -ne 0 ] && tail -30 "$tmp/log" | sed 's/^/# /'
	ok "$code" "$3 for $2 s of fuzzing under ASan+UBSan"
}

control() { # FUZZER MMLITMUS
	encode_seeds "$2" "$tmp/seed"
	mkdir "$tmp/corpus"
	(cd "$tmp" && MMLITMUS_OPS=control "$1" -max_total_time=120 \
		-artifact_prefix="$tmp/" corpus seed >"$tmp/log" 2>&1)
	crash=$(ls "$tmp"/crash-* 2>/dev/null | head -1)
	[ -n "$crash" ] && grep -q 'new-then-stale' "$tmp/log"
	ok $? "libFuzzer in control mode finds a piecewise violation from the seeds"
	[ -n "$crash" ] || { tail -20 "$tmp/log" | sed 's/^/# /'; exit 1; }

	"$2" replay "$crash" >"$tmp/replay" 2>&1
	code=$?
	grep '^Reproduced' "$tmp/replay" | sed 's/^/# /'
	[ $code -eq 1 ] && grep -Eq '^Reproduced [1-9][0-9]* of' "$tmp/replay"
	ok $? "the crash file replays with a rate above zero"

	MMLITMUS=$2 MMLITMUS_FUZZER=$1 "$root/tools/minimize" "$crash" -o "$tmp/min" --time 10 --runs 10 >"$tmp/minimize" 2>&1
	code=$?
	sed 's/^/# /' "$tmp/minimize"
	[ $code -eq 0 ] && grep -Eq '^after: .*reproduced [1-9][0-9]* of' "$tmp/minimize"
	ok $? "the minimized crash still reproduces"

	# The minimizer keeps a simpler program that fires in half as many
	# replays as the crash did, so a 10-of-10 crash may become 5 of 10:
	# 5 replays then miss it about once in 30 runs, 20 about once in 10^6.
	MMLITMUS=$2 "$root/tools/corpus-add" "$tmp/min" --dir "$tmp/regress" --runs 20 >"$tmp/add" 2>&1
	code=$?
	sed 's/^/# /' "$tmp/add"
	base=$(ls "$tmp"/regress/*.bin 2>/dev/null | sed 's/\.bin$//')
	[ $code -eq 0 ] && [ -f "$base.litmus" ] && grep -q '^outcome finding$' "$base.expect"
	ok $? "corpus-add stores it with its text form and the outcome 'finding'"

	MMLITMUS=$2 "$root/tools/corpus-add" "$tmp/min" --dir "$tmp/regress" --runs 5 >"$tmp/again" 2>&1
	code=$?
	sed 's/^/# /' "$tmp/again"
	[ $code -eq 1 ] && [ "$(ls "$tmp"/regress | wc -l)" -eq 3 ]
	ok $? "corpus-add refuses the same program twice"
}

# A 16-page control with every knob off its default: many steps to take.
control_program() {
	printf 'pages 16\nmapper cpu=0 delay=none\nop 1 piecewise:asc\nreader 0 asc cpu=1\nshare 1\nrepeat 8\n'
}

# An mmlitmus whose replay refuses, as a machine refuses huge pages it
# does not offer, the second program it is asked to replay: the first
# candidate the minimizer tries.
refusing_mmlitmus() { # MMLITMUS
	cat >"$tmp/refusing" <<EOF_REFUSING
#!/bin/sh
if [ "\$1" = replay ]; then
	echo x >>"$tmp/replays"
	if [ "\$(wc -l <"$tmp/replays")" -eq 2 ]; then
		echo "mmlitmus: THP 2048kB shmem is 'never': run as root with --huge-setup" >&2
		exit 2
	fi
fi
exec "$1" "\$@"
EOF_REFUSING
	chmod +x "$tmp/refusing"
}

minimize_refused() { # FUZZER MMLITMUS
	control_program >"$tmp/c.litmus"
	"$2" encode -o "$tmp/crash" "$tmp/c.litmus"
	refusing_mmlitmus "$2"
	MMLITMUS="$tmp/refusing" MMLITMUS_FUZZER=$1 "$root/tools/minimize" "$tmp/crash" \
		-o "$tmp/min" --time 5 --runs 10 >"$tmp/minimize" 2>&1
	code=$?
	sed 's/^/# /' "$tmp/minimize"
	[ $code -eq 0 ] && grep -q "^step not taken, this machine refuses it: .*THP" "$tmp/minimize"
	ok $? "a refused candidate is a step not taken, and minimization goes on"
	grep -Eq '^after: .*reproduced [1-9][0-9]* of 10 runs' "$tmp/minimize" &&
		"$2" replay -n 10 "$tmp/min" | grep -Eq '^Reproduced [1-9]'
	ok $? "the result reproduces at the rate it states"
}

# mremap-after-mprotect (bench/README.md, "Planted bugs") needs an op
# inserted right before another, which no byte mutation makes: with the
# custom mutator the target found it from the seeds in 1.4 to 6.1 s in 10
# rounds on a machine at load 7 on 2 CPUs; without, in 48 s (median of 3
# rounds, one missed at 60 s).
planted() { # FUZZER MMLITMUS BUG_LIBRARY
	encode_seeds "$2" "$tmp/seed"
	mkdir "$tmp/corpus"
	began=$(date +%s)
	(cd "$tmp" && LD_PRELOAD="$3" "$1" -max_total_time=60 -seed=1 \
		-dict="$root/fuzz/litmus.dict" -artifact_prefix="$tmp/" corpus seed \
		>"$tmp/log" 2>&1)
	crash=$(ls "$tmp"/crash-* 2>/dev/null | head -1)
	echo "# $(( $(date +%s) - began )) s"
	[ -n "$crash" ]
	ok $? "libFuzzer finds mremap-after-mprotect from the seeds within 60 s"
	[ -n "$crash" ] || { tail -20 "$tmp/log" | sed 's/^/# /'; exit 1; }
	"$2" decode "$crash" 2>/dev/null | grep '^op ' | sed 's/^/# /' | tee "$tmp/ops"
	awk 'prev ~ /^mprotect/ && $4 ~ /^(mremap|grow)/ { found = 1 } { prev = $4 }
		END { exit !found }' "$tmp/ops"
	ok $? "its program has an mprotect right before an mremap or grow"
}

# Every process a test starts carries this in its environment, and so do
# all their descendants: what is left of it after a kill was left behind.
tagged() { # the pids whose environment holds the tag
	grep -l "MMLITMUS_KILL_TEST=$$" /proc/[0-9]*/environ 2>/dev/null |
		sed 's|/proc/\([0-9]*\)/environ|\1|'
}

# Starts COMMAND in the background, sends SIGNAL after SECONDS and waits:
# ok when no tagged process is left a second later.
killed_leaves_nothing() { # SIGNAL SECONDS COMMAND...
	sig=$1 after=$2
	shift 2
	MMLITMUS_KILL_TEST=$$ "$@" >"$tmp/killed.log" 2>&1 &
	pid=$!
	sleep "$after"
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid"
	sleep 1
	left=$(tagged)
	[ -z "$left" ] && return 0
	echo "# left behind:"
	for p in $left; do
		echo "#   $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		kill -KILL "$p" 2>/dev/null
	done
	return 1
}

kill_entry_points() { # FUZZER MMLITMUS
	encode_seeds "$2" "$tmp/seed"
	mkdir -p "$tmp/corpus"
	cp "$root/corpus/seed/fork-perturber-writers.litmus" "$tmp/fork.litmus"
	killed_leaves_nothing TERM 3 "$1" -fork=1 -ignore_crashes=1 -artifact_prefix="$tmp/" \
		"$tmp/corpus" "$tmp/seed"
	ok $? "libFuzzer -fork=1, SIGTERM: nothing left"
	killed_leaves_nothing INT 3 "$1" -artifact_prefix="$tmp/" "$tmp/seed/fork-perturber-writers"
	ok $? "libFuzzer on a fork-perturber input, SIGINT: nothing left"
	killed_leaves_nothing TERM 30 "$1" -max_total_time=3 -artifact_prefix="$tmp/" "$tmp/corpus" "$tmp/seed"
	ok $? "libFuzzer ending at -max_total_time: nothing left"
	killed_leaves_nothing TERM 2 "$2" replay -n 100000 "$tmp/fork.litmus"
	ok $? "replay of a fork-perturber program, SIGTERM: nothing left"
	killed_leaves_nothing INT 2 "$2" replay -n 100000 "$tmp/fork.litmus"
	ok $? "and SIGINT"
	control_program >"$tmp/c.litmus"
	"$2" encode -o "$tmp/crash" "$tmp/c.litmus"
	MMLITMUS=$2 MMLITMUS_FUZZER=$1 killed_leaves_nothing TERM 4 \
		"$root/tools/minimize" "$tmp/crash" -o "$tmp/min" --time 60
	ok $? "tools/minimize, SIGTERM while libFuzzer shrinks: nothing left"
}

executions() { # executions SYNC_DIR: the instances' executions, summed
	cat "$1"/*/fuzzer_stats 2>/dev/null | awk '/^execs_done/ { n += $3 } END { print n + 0 }'
}

afl_instances() { # FUZZER (tools/fuzz-afl builds and finds its own)
	"$root/tools/fuzz-afl" -j 2 -o "$tmp/sync" -V 8 --wait >"$tmp/log" 2>&1
	code=$?
	sed 's/^/# /' "$tmp/log"
	first=$(executions "$tmp/sync")
	[ $code -eq 0 ] && [ -f "$tmp/sync/main/fuzzer_stats" ] && [ -f "$tmp/sync/s1/fuzzer_stats" ]
	ok $? "a main and a secondary instance ran in one sync directory ($first executions)"
	"$root/tools/fuzz-afl" -j 2 -o "$tmp/sync" -V 4 --wait >"$tmp/log" 2>&1
	code=$?
	again=$(executions "$tmp/sync")
	echo "# after resuming: $again executions"
	[ $code -eq 0 ] && [ "${again:-0}" -gt "${first:-0}" ]
	ok $? "running it again resumes the same instances"
}

# ClusterFuzzLite's and OSS-Fuzz's builders run build.sh with these set;
# the flags are their AddressSanitizer build's.
clusterfuzzlite() {
	mkdir -p "$tmp/src" "$tmp/out" "$tmp/work"
	ln -s "$root" "$tmp/src/mmlitmus"
	SRC="$tmp/src" OUT="$tmp/out" WORK="$tmp/work" CC=clang \
		CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
		LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
		bash "$root/.clusterfuzzlite/build.sh" >"$tmp/build.log" 2>&1
	code=$?
	[ $code -ne 0 ] && tail -20 "$tmp/build.log" | sed 's/^/# /'
	ok $code "build.sh builds with the builders' variables"
	missing=""
	for t in litmus decode; do
		for f in "mmlitmus_$t" "mmlitmus_$t.dict" "mmlitmus_${t}_seed_corpus.zip"; do
			[ -s "$tmp/out/$f" ] || missing="$missing $f"
		done
	done
	[ -n "$missing" ] && echo "# missing in \$OUT:$missing"
	[ -z "$missing" ]
	ok $? "each target, its dictionary and its seed corpus zip are in \$OUT"
	mkdir "$tmp/seeds"
	python3 -m zipfile -e "$tmp/out/mmlitmus_litmus_seed_corpus.zip" "$tmp/seeds"
	(cd "$tmp" && "$tmp/out/mmlitmus_litmus" -runs=300 \
		-dict="$tmp/out/mmlitmus_litmus.dict" seeds >"$tmp/run.log" 2>&1)
	code=$?
	[ $code -ne 0 ] && tail -20 "$tmp/run.log" | sed 's/^/# /'
	[ $code -eq 0 ] && [ "$(ls "$tmp/seeds" | wc -l)" -gt 0 ]
	ok $? "the litmus target runs its seed corpus under ASan with the default op set"
	(cd "$tmp" && "$tmp/out/mmlitmus_decode" -runs=5000 seeds >"$tmp/decode.log" 2>&1)
	ok $? "the decoder target runs"
}

absolute() { # meson hands over paths relative to the build directory
	case $1 in
	/*) echo "$1" ;;
	*) echo "$PWD/$1" ;;
	esac
}

scenario=$1
fuzzer=$(absolute "${2:-}")
shift
[ $# -gt 0 ] && shift
case $scenario in
libfuzzer-smoke) libfuzzer_smoke "$fuzzer" "$(absolute "$1")" "$2" ;;
afl-smoke) afl_smoke "$fuzzer" "$(absolute "$1")" "$2" ;;
decoder) sanitized "$fuzzer" "$1" "the decoder keeps its properties" ;;
model) sanitized "$fuzzer" "$1" "the oracle agrees with the reference" ;;
control) control "$fuzzer" "$(absolute "$1")" ;;
minimize-refused) minimize_refused "$fuzzer" "$(absolute "$1")" ;;
kill) kill_entry_points "$fuzzer" "$(absolute "$1")" ;;
planted) planted "$fuzzer" "$(absolute "$1")" "$(absolute "$2")" ;;
afl-instances) afl_instances "$fuzzer" ;;
clusterfuzzlite) clusterfuzzlite ;;
*) echo "Bail out! unknown scenario $scenario"; exit 1 ;;
esac
tap_exit
