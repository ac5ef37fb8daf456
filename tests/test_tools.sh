#!/bin/sh
# Every tool in tools/ answers -h and --help with exit 0 and a usage text
# on stdout, and starts nothing for it: no package install, no build, no
# fuzzer, no guest, no file written.  The programs a tool would start are
# stand-ins on PATH that leave a mark when called.
# Usage: test_tools.sh TOOLS_DIR
set -u
. "$(dirname "$0")/tap.sh"
tools=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/cwd"
for p in apt-get sudo dpkg-query meson ninja cc gcc clang afl-fuzz \
	afl-clang-fast qemu-system-x86_64 busybox; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "$p" "$tmp/started" >"$tmp/bin/$p"
	chmod +x "$tmp/bin/$p"
done

count=0
for t in "$tools"/*; do
	[ -f "$t" ] && [ -x "$t" ] && count=$((count + 1))
done
[ "$count" -gt 0 ]
ok $? "tools/ has tools ($count)"

for t in "$tools"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	for flag in --help -h; do
		rm -f "$tmp/started"
		(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" timeout 60 "$t" "$flag" \
			>"$tmp/out" 2>"$tmp/err")
		code=$?
		good=0
		if [ "$code" -ne 0 ]; then
			echo "# exit status $code"
			good=1
		fi
		if ! grep -qi usage "$tmp/out"; then
			echo "# no usage text on stdout"
			good=1
		fi
		if [ -s "$tmp/started" ]; then
			sed 's/^/# started: /' "$tmp/started"
			good=1
		fi
		if [ -n "$(ls -A "$tmp/cwd")" ]; then
			echo "# wrote: $(ls -A "$tmp/cwd" | tr '\n' ' ')"
			rm -rf "${tmp:?}/cwd/"* "$tmp/cwd/".[!.]* 2>/dev/null
			good=1
		fi
		[ "$good" -eq 0 ] || sed 's/^/# stderr: /' "$tmp/err" | head -5
		ok "$good" "tools/$name $flag: exit 0 and a usage text, nothing started"
	done
done
tap_exit
