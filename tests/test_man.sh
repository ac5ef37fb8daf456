#!/bin/sh
# The man page renders without warnings and documents every long option,
# every subcommand and every environment variable the sources read.
# Usage: test_man.sh PAGE SRC_DIR
set -u
. "$(dirname "$0")/tap.sh"
page=$1
src=$2
echo "1..4"

warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
[ -n "$warnings" ] && echo "$warnings" | sed 's/^/# /'
[ -z "$warnings" ]
ok $? "man -l renders the page without warnings"

missing=""
for f in $(sed -n 's/^[[:space:]]*{"\([a-z-]*\)", .*/\1/p' "$src/main.c"); do
	grep -q -- "\\\\-\\\\-$(echo "$f" | sed 's/-/\\\\-/g')" "$page" || missing="$missing --$f"
done
[ -n "$missing" ] && echo "# not in the page:$missing"
[ -z "$missing" ]
ok $? "every long option is documented"

missing=""
for c in run decode encode replay survey stress; do
	grep -q "^\.BI\{0,1\} $c\b" "$page" || missing="$missing $c"
done
[ -n "$missing" ] && echo "# not in the page:$missing"
[ -z "$missing" ]
ok $? "every command is documented"

missing=""
for v in $(grep -oh 'MMLITMUS_[A-Z_]*' "$src"/*.c | sort -u); do
	grep -q "^\.B $v$" "$page" || missing="$missing $v"
done
[ -n "$missing" ] && echo "# not in the page:$missing"
[ -z "$missing" ]
ok $? "every environment variable is documented"
tap_exit
