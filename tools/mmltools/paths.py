"""Where the tools find the programs they run.

Each program is named by its environment variable when that is set;
else, in the source tree, by the build in build/ (build-libfuzzer/ and
build-afl/ for the fuzz targets); else, installed, by what meson
installed under the same prefix as this package."""
import os

_HERE = os.path.dirname(os.path.abspath(__file__))
# tools/mmltools in the source tree; PREFIX/share/mmlitmus/mmltools
# installed.
ROOT = os.path.dirname(os.path.dirname(_HERE))
IN_TREE = os.path.isfile(os.path.join(ROOT, "meson.build"))
PREFIX = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))


def _find(variable, in_tree, installed):
    if variable and os.environ.get(variable):
        return os.environ[variable]
    if IN_TREE:
        return os.path.join(ROOT, *in_tree)
    return os.path.join(PREFIX, *installed)


def mmlitmus():
    """$MMLITMUS, build/mmlitmus, or bin/mmlitmus."""
    return _find("MMLITMUS", ("build", "mmlitmus"), ("bin", "mmlitmus"))


def mmlitmus_static():
    """The guest's mmlitmus: $MMLITMUS_STATIC, build/mmlitmus-static, or
    libexec/mmlitmus/mmlitmus-static."""
    return _find("MMLITMUS_STATIC", ("build", "mmlitmus-static"),
                 ("libexec", "mmlitmus", "mmlitmus-static"))


def libfuzzer():
    """The libFuzzer target: $MMLITMUS_FUZZER,
    build-libfuzzer/fuzz/fuzz-litmus, or libexec/mmlitmus/fuzz-litmus."""
    return _find("MMLITMUS_FUZZER", ("build-libfuzzer", "fuzz", "fuzz-litmus"),
                 ("libexec", "mmlitmus", "fuzz-litmus"))


def afl():
    """The AFL++ target: build-afl/fuzz/fuzz-litmus-afl, or
    libexec/mmlitmus/fuzz-litmus-afl."""
    return _find(None, ("build-afl", "fuzz", "fuzz-litmus-afl"),
                 ("libexec", "mmlitmus", "fuzz-litmus-afl"))


def afl_mutator():
    """AFL++'s custom mutator (doc/fuzzing.md, "The structure-aware
    mutator"): $AFL_CUSTOM_MUTATOR_LIBRARY, build/fuzz/fuzz-litmus-mutator.so
    (the build without fuzzing: afl-fuzz cannot load code afl-clang-fast
    instrumented), or libexec/mmlitmus/fuzz-litmus-mutator.so."""
    return _find("AFL_CUSTOM_MUTATOR_LIBRARY",
                 ("build", "fuzz", "fuzz-litmus-mutator.so"),
                 ("libexec", "mmlitmus", "fuzz-litmus-mutator.so"))


def tool(name):
    """tools/NAME of the source tree: setup, seed-corpus."""
    return os.path.join(ROOT, "tools", name)


def qemu():
    """$MMLITMUS_QEMU, or qemu-system-x86_64 on the PATH."""
    return os.environ.get("MMLITMUS_QEMU") or "qemu-system-x86_64"


def cache():
    """Where tools/kernels keeps kernels, the KVM verdict and console logs:
    $MMLITMUS_CACHE, or mmlitmus in $XDG_CACHE_HOME or ~/.cache."""
    return os.environ.get("MMLITMUS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "mmlitmus")
