#!/bin/sh
# The planted bugs of bench/bugs/: each library, loaded with LD_PRELOAD,
# leaves a program outside its condition clean (atomic ops, no finding),
# and a program inside it fires.  Then the benchmark's smoke: stress finds
# an easy bug and what it saves replays under the same library.
# Usage: test_bugs.sh MMLITMUS BUGS_DIR
set -u
. "$(dirname "$0")/tap.sh"
bin=$1
bugs=$2
tap_scratch

# replay_under BUG RUNS PROGRAM [--first]: replay the text PROGRAM under
# the bug's library; prints the rate as a comment, returns replay's exit.
replay_under() {
	printf "$3" >"$tmp/p.litmus"
	LD_PRELOAD="$bugs/$1.so" "$bin" replay -n "$2" ${4:-} "$tmp/p.litmus" \
		>"$tmp/out" 2>&1
	code=$?
	grep -E '^(Reproduced|mmlitmus)' "$tmp/out" | sed 's/^/# /'
	return $code
}

# A machine without the huge pages a program asks for cannot run it.
unavailable() {
	grep -q 'transparent_hugepage' "$tmp/out" || return 1
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP no 2 MiB THP for anonymous memory"
}

fires() { # fires BUG PROGRAM: it fires within 200 runs
	replay_under "$1" 200 "$2" --first
	code=$?
	desc="$1: fires on $(printf "$2" | grep '^op' | tr '\n' ' ')"
	unavailable "$desc" || { [ $code -eq 1 ]; ok $? "$desc"; }
}

clean() { # clean BUG RUNS PROGRAM: no run of RUNS fires
	replay_under "$1" "$2" "$3"
	code=$?
	desc="$1: clean on $(printf "$3" | grep -E '^(op|order|backing)' | tr '\n' ' ')"
	unavailable "$desc" && return
	[ $code -eq 0 ] && grep -q "^Reproduced 0 of $2 runs" "$tmp/out"
	ok $? "$desc"
}

# stress under an easy bug stops at its first firing, within seconds, and
# the input it saved fires again under the same library.
stress_smoke() {
	LD_PRELOAD="$bugs/mapfixed-pages.so" "$bin" stress -s 20 -j 1 --seed 1 \
		--stop-on-finding -o "$tmp/smoke" >"$tmp/smoke.out" 2>/dev/null
	code=$?
	grep -E '^(Ran|First)' "$tmp/smoke.out" | sed 's/^/# /'
	saved=$(ls "$tmp/smoke" | head -n 1)
	[ "$code" -eq 1 ] && [ -n "$saved" ] || return 1
	LD_PRELOAD="$bugs/mapfixed-pages.so" "$bin" replay "$tmp/smoke/$saved" \
		>"$tmp/out" 2>&1
	code=$?
	grep '^Reproduced' "$tmp/out" | sed 's/^/# /'
	[ "$code" -eq 1 ]
}

r='repeat 8\n'
fires mapfixed-pages "pages 16\nop 1 mapfixed\n$r"
clean mapfixed-pages 100 "pages 16\nop 1 mremap\nop 2 mprotect:none\n$r"
fires mprotect-pages "pages 16\nop 1 mprotect:none\nop 2 mprotect:read\n$r"
clean mprotect-pages 100 "pages 16\nop 1 mapfixed\nop 2 mremap\n$r"
fires mremap-pages "pages 16\nop 1 mremap\n$r"
clean mremap-pages 100 "pages 16\nop 1 mapfixed\nop 2 mprotect:none\n$r"
fires tmpfs-64 "pages 64\nop 1 mapfixed:tmpfs\n$r"
clean tmpfs-64 100 "pages 64\nop 1 mapfixed:0-63:tmpfs\n$r"
clean tmpfs-64 100 "pages 64\nop 1 mapfixed:memfd\n$r"
fires mremap-after-mprotect "pages 16\nop 1 mprotect:read\nop 2 mremap\n$r"
clean mremap-after-mprotect 100 "pages 16\nop 1 mremap\nop 2 mprotect:none\n$r"
clean mremap-after-mprotect 100 "pages 16\nop 1 mprotect:read\nop 2 mapfixed\nop 3 mremap\n$r"
# Ops the shim does not otherwise wrap end the condition too.
for op in mlock truncate:8-16 punch:4-8; do
	clean mremap-after-mprotect 100 "pages 16\nop 1 mprotect:read\nop 2 $op\nop 3 mremap\n$r"
done
fires mremap-pmd "pages 16\nop 1 mremap:pmd\n$r"
clean mremap-pmd 100 "pages 16\nop 1 mremap:pte\n$r"
clean mremap-pmd 100 "pages 16\nop 1 mremap:0-15:pmd\n$r"
fires anon-2m "pages 1024\norder 9\nbacking anon\nop 1 mapfixed:anon\n$r"
clean anon-2m 10 "pages 1024\norder 9\nbacking anon\nop 1 mapfixed:0-500:anon\nrepeat 4\n"
clean anon-2m 100 "pages 16\nbacking anon\nop 1 mapfixed:anon\n$r"
fires odd-span "pages 16\nop 1 mapfixed:0-8\nop 2 mapfixed:3-12\n$r"
clean odd-span 100 "pages 16\nop 1 mapfixed:0-8\nop 2 mapfixed:4-12\n$r"
clean odd-span 100 "pages 16\nop 1 mapfixed:0-8\nop 2 mapfixed:3-7\n$r"
fires one-in-64 "pages 16\nop 1 mapfixed\nrepeat 64\n"
clean one-in-64 100 "pages 16\nop 1 mapfixed:0-1\nop 2 mprotect:none\n$r"
clean one-in-64 100 "pages 16\nop 1 mremap\n$r"
stress_smoke
ok $? "stress finds mapfixed-pages, and the saved input replays under it"
tap_exit
