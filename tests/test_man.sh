#!/bin/sh
# The man pages: each renders without warnings; every installed command has
# one, installed with it; mmlitmus(1) documents every subcommand and every
# environment variable the sources read; a tool's page documents every flag
# its --help lists.  (That mmlitmus(1) names the flags of mmlitmus --help,
# which are the code's, is test_cli.sh's.)
# Usage: test_man.sh MMLITMUS SRC_DIR MESON_BUILD TOOLS_DIR MMLITMUS_PAGE [TOOL_PAGE]...
set -u
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/help.sh"
bin=$1
src=$2
meson_build=$3
tools=$4
shift 4
page=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The flags a page names, roff's \- undone.
page_flags() {
	sed 's/\\-/-/g; s/\\f[A-Z]//g' "$1" | grep -oE -- '(^|[^A-Za-z0-9-])--?[a-z][a-z-]*' |
		sed 's/^[^-]*//' | sort -u
}

for p in "$@"; do
	warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
	[ -n "$warnings" ] && echo "$warnings" | sed 's/^/# /'
	[ -z "$warnings" ]
	ok $? "man -l renders $(basename "$p") without warnings"
done

# mmlitmus and every tool meson.build installs as mmlitmus-NAME.
missing=""
for c in mmlitmus $(sed -n "s/.*rename : '\(mmlitmus-[a-z-]*\)'.*/\1/p" "$meson_build"); do
	found=""
	for p in "$@"; do
		[ "$(basename "$p")" = "$c.1" ] && found=1
	done
	[ -n "$found" ] || missing="$missing $c (no page)"
	grep -q "install_man(.*'doc/$c\.1'" "$meson_build" ||
		grep -A8 'install_man(' "$meson_build" | grep -q "'doc/$c\.1'" ||
		missing="$missing $c (page not installed)"
done
[ -n "$missing" ] && echo "# missing:$missing"
[ -z "$missing" ]
ok $? "every installed command has a man page, installed with it"

missing=""
"$bin" --help >"$tmp/help" || missing=" (mmlitmus --help failed)"
for c in $(help_commands "$tmp/help"); do
	grep -q "^\.BI\{0,1\} $c\b" "$page" || missing="$missing $c"
done
[ -n "$missing" ] && echo "# not in the page:$missing"
[ -z "$missing" ]
ok $? "mmlitmus(1) documents every command"

missing=""
for v in $(grep -oh 'MMLITMUS_[A-Z_]*' "$src"/*.c | sort -u); do
	grep -q "^\.B $v$" "$page" || missing="$missing $v"
done
[ -n "$missing" ] && echo "# not in the page:$missing"
[ -z "$missing" ]
ok $? "mmlitmus(1) documents every environment variable"

shift
for p in "$@"; do
	name=$(basename "$p" .1)
	tool="$tools/${name#mmlitmus-}"
	missing=""
	if "$tool" --help >"$tmp/help" 2>&1; then
		page_flags "$p" >"$tmp/page"
		for f in $(grep -oE -- '(^|[ ,[])--?[a-z][a-z-]*' "$tmp/help" | sed 's/^[^-]*//' | sort -u); do
			grep -qx -- "$f" "$tmp/page" || missing="$missing $f"
		done
	else
		missing=" (tools/${name#mmlitmus-} --help failed)"
	fi
	[ -n "$missing" ] && echo "# not in the page:$missing"
	[ -z "$missing" ]
	ok $? "$name(1) documents every flag of its --help"
done
tap_exit
