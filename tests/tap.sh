# TAP for the shell tests: `ok STATUS DESCRIPTION` prints one numbered
# result line (STATUS 0 passes) and remembers a failure; `tap_exit` prints
# the plan, counted rather than written down, and exits.
tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=1
	fi
}

tap_exit() {
	echo "1..$tap_n"
	exit $tap_failed
}

# A scratch directory in $tmp, removed at exit.
tap_scratch() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
}
