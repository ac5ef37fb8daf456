#!/bin/bash -eu
# The libFuzzer targets, built the way OSS-Fuzz and ClusterFuzzLite build
# a project: with their $CC, $CFLAGS and $LIB_FUZZING_ENGINE, into $OUT,
# each with its seed corpus and dictionary.  jansson is linked statically:
# the machines that run the targets do not have it.
src=${SRC:?}/mmlitmus
work=${WORK:-$(mktemp -d)}/mmlitmus
mkdir -p "$work" "$OUT"
cd "$src"

common=(-std=c11 -D_GNU_SOURCE -Isrc)
objects=()
for f in src/*.c; do
	case $f in src/main.c | src/cli.c | src/cmd*.c) continue ;; esac # the command's own
	o="$work/$(basename "$f" .c).o"
	$CC $CFLAGS "${common[@]}" -c "$f" -o "$o"
	objects+=("$o")
done

for target in litmus decode; do
	$CC $CFLAGS "${common[@]}" -c "fuzz/${target}_libfuzzer.c" -o "$work/$target.o"
	$CC $CFLAGS "$work/$target.o" "${objects[@]}" $LIB_FUZZING_ENGINE \
		-Wl,-Bstatic -ljansson -Wl,-Bdynamic -lpthread -o "$OUT/mmlitmus_$target"
	cp fuzz/litmus.dict "$OUT/mmlitmus_$target.dict"
done

# The seeds are text; a plain build of the command encodes them.
cc "${common[@]}" -O1 src/*.c -ljansson -lpthread -o "$work/mmlitmus"
mkdir -p "$work/seed"
for f in corpus/seed/*.litmus; do
	"$work/mmlitmus" encode -o "$work/seed/$(basename "$f" .litmus)" "$f"
done
for target in litmus decode; do
	rm -f "$OUT/mmlitmus_${target}_seed_corpus.zip"
	(cd "$work/seed" && python3 -m zipfile -c "$OUT/mmlitmus_${target}_seed_corpus.zip" ./*)
done
