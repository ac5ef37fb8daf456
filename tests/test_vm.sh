#!/bin/sh
# The kernel matrix end to end: boot a Debian kernel under qemu (6.1, or
# MMLITMUS_VM_KERNEL), run the classic litmus and a munmap program there
# for a few seconds, a one-cell survey, replay a seed that fires and the
# regression corpus, and a run cut short by the guest's time limit; check
# that each result came back from the guest's kernel and parses.
# Skipped with a reason when qemu or the kernel cannot be had.  Kernels
# are cached (MMLITMUS_CACHE, default ~/.cache/mmlitmus): the first run
# downloads about 70 MB.
# Usage: test_vm.sh KERNELS_TOOL MMLITMUS SEED_DIR
set -u
. "$(dirname "$0")/tap.sh"
tool=$1
bin=$2
seeds=$3
kernel=${MMLITMUS_VM_KERNEL:-6.1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 is not installed (tools/setup vm)"
	exit 0
fi
if ! "$tool" fetch "$kernel" >"$tmp/fetch" 2>&1; then
	echo "1..0 # SKIP kernel $kernel cannot be had: $(tail -1 "$tmp/fetch")"
	exit 0
fi
sed 's/^/# /' "$tmp/fetch"

# check_report FILE OP: the run's JSON parses, names OP, ran iterations
# and read racing the op.
check_report() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
op = report["program"]["ops"][0]["kind"]
print(f"# {op}: {report['iterations']} iterations, {report['racing_reads']} racing reads, "
      f"{report['observation']['result']}")
sys.exit(0 if op == sys.argv[2] and report["iterations"] > 0 and report["racing_reads"] > 0 else 1)
EOF
}

"$tool" run "$kernel" -- -s 3 --json >"$tmp/classic.json" 2>"$tmp/err"
code=$?
[ $code -eq 0 ] && check_report "$tmp/classic.json" mapfixed
ok $? "the classic litmus ran in $kernel and its JSON came back"
[ $code -eq 0 ] || sed 's/^/# /' "$tmp/err"

"$tool" run "$kernel" -- -s 3 -o munmap --json >"$tmp/munmap.json" 2>"$tmp/err"
code=$?
[ $code -eq 0 ] && check_report "$tmp/munmap.json" munmap
ok $? "a munmap program ran in $kernel and its JSON came back"
[ $code -eq 0 ] || sed 's/^/# /' "$tmp/err"

"$bin" survey --kernels "$kernel" --ops mapfixed --backings memfd --page-orders 0 \
	--read-orders asc --cell-seconds 2 --json-file "$tmp/survey.json" >"$tmp/survey.md" 2>"$tmp/err"
code=$?
sed 's/^/# /' "$tmp/survey.md" | grep '^# | mapfixed'
python3 - "$tmp/survey.json" "$(uname -r)" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
guest = doc["surveys"][0]["kernel"]
print(f"# guest kernel {guest}, host {sys.argv[2]}")
sys.exit(0 if guest != sys.argv[2] and doc["surveys"][0]["cells"][0]["iterations"] > 0 else 1)
EOF
[ $? -eq 0 ] && [ $code -eq 0 ]
ok $? "survey --kernels ran the cell in the guest's kernel, not the host's"
[ $code -eq 0 ] || sed 's/^/# /' "$tmp/err"

"$bin" encode -o "$tmp/piecewise" "$seeds/piecewise-asc-control.litmus" &&
	"$bin" replay --kernel "$kernel" -n 5 "$tmp/piecewise" >"$tmp/replay" 2>"$tmp/err"
code=$?
grep '^Reproduced' "$tmp/replay" | sed 's/^/# /'
[ $code -eq 1 ] && grep -Eq '^Reproduced [1-9][0-9]* of' "$tmp/replay"
ok $? "replay --kernel reproduces the piecewise control in $kernel"
[ $code -eq 1 ] || sed 's/^/# /' "$tmp/err"
# A run longer than the guest's time limit: the guest's mmlitmus is sent
# SIGINT a boot's allowance (60 s) before the limit and reports what it has.
"$tool" --timeout 75 run "$kernel" -- -s 600 --json >"$tmp/long.json" 2>"$tmp/err"
code=$?
python3 - "$tmp/long.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"# interrupted after {report['seconds']:.1f} s, {report['iterations']} iterations")
sys.exit(0 if report["interrupted"] and report["iterations"] > 0 and report["seconds"] < 60 else 1)
EOF
[ $? -eq 0 ] && [ $code -eq 0 ]
ok $? "a run past the guest's time limit still brings back its partial report"
[ $code -eq 0 ] || sed 's/^/# /' "$tmp/err"

# Every entry keeps its outcome in the guest.  The host's column is only
# shown: the THP-split findings there reproduce in 0 to 90 % of runs from
# one hour to the next on some hosts, and test_regress judges the host
# with 50 runs.
"$tool" corpus "$kernel,host" "$seeds/../regress" -n 20 >"$tmp/corpus" 2>"$tmp/err"
code=$?
sed 's/^/# /' "$tmp/corpus"
rows=$(grep -c '^| [^|]* | \(finding\|clean\) | ' "$tmp/corpus")
{ [ $code -eq 0 ] || [ $code -eq 1 ]; } && [ "$rows" -eq "$(ls "$seeds"/../regress/*.bin | wc -l)" ] &&
	! grep -Eq '^\| [^|]* \| [^|]* \| [0-9]+ of 20 CHANGED \|' "$tmp/corpus" &&
	grep -Eq '^\| piecewise-[^|]* \| finding \| ([1-9]|1[0-9]|20) of 20 \| [0-9]+ of 20( CHANGED)? \|$' "$tmp/corpus"
ok $? "the regression corpus replays in $kernel beside the host, every entry keeping its outcome in $kernel"
[ $code -eq 0 ] || sed 's/^/# /' "$tmp/err"
tap_exit
