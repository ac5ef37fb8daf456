#!/bin/sh
# The regression corpus: every entry's text form is what its bytes decode
# to, and replaying it keeps the outcome it was stored with.  A "finding"
# entry must fire within RUNS replays; a "clean" one must not fire in RUNS.
# An entry this machine cannot run (huge pages it does not offer, a second
# NUMA node it lacks: replay says why and exits 2) is skipped with that
# reason.
# Usage: test_regress.sh MMLITMUS CORPUS_DIR [RUNS]
set -u
. "$(dirname "$0")/tap.sh"
bin=$1
dir=$2
runs=${3:-50}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

entries=$(ls "$dir"/*.bin 2>/dev/null)
for f in $entries; do
	name=$(basename "$f" .bin)
	"$bin" decode "$f" >"$tmp/text" 2>/dev/null && cmp -s "$tmp/text" "${f%.bin}.litmus"
	ok $? "$name: the text form matches the bytes"
	outcome=$(sed -n 's/^outcome //p' "${f%.bin}.expect")
	"$bin" replay -n "$runs" "$f" >"$tmp/replay" 2>&1
	code=$?
	grep '^Reproduced' "$tmp/replay" | sed 's/^/# /'
	why=$(grep -E -m1 'run as root with --huge-setup|NUMA node' "$tmp/replay")
	if [ "$code" -eq 2 ] && [ -n "$why" ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $name: replay keeps the outcome '$outcome' # SKIP ${why#mmlitmus: }"
		continue
	fi
	case $outcome in
	finding) [ "$code" -eq 1 ] ;;
	clean) [ "$code" -eq 0 ] ;;
	*) false ;;
	esac
	ok $? "$name: replay keeps the outcome '$outcome'"
done
tap_exit
