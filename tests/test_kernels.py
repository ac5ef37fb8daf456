#!/usr/bin/env python3
"""tools/kernels without a VM: kernel name resolution, the initramfs, the
console's verdicts, and, with a fake qemu, a guest that answers, one that
hangs, one that panics, a missing qemu, and a survey across a guest and
the host, labelled and merged into one table.  (The table itself is
tests/test_merge.sh's.)

Usage: test_kernels.py KERNELS_TOOL MMLITMUS MMLITMUS_STATIC SURVEY_SCHEMA
"""
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

import jsonschema

# The tools' package, whose pieces of tools/kernels are tested here, and
# its TAP lines; no bytecode left in the sources.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
sys.dont_write_bytecode = True
from mmltools import corpus, debian, failure, guest, survey  # noqa: E402
from mmltools.tap import Tap  # noqa: E402

PACKAGES = [
    "linux-image-6.1.0-9-amd64-unsigned",
    "linux-image-6.1.0-47-amd64-unsigned",
    "linux-image-6.1.0-56-amd64-unsigned",
    "linux-image-6.1.0-56-amd64",
    "linux-image-6.1.0-56-rt-amd64-unsigned",
    "linux-image-6.1.0-56-cloud-amd64-unsigned",
    "linux-image-6.12.107+deb12-amd64-unsigned",
    "linux-image-6.12.117+deb12-amd64-unsigned",
    "linux-image-6.12.117+deb12-rt-amd64-unsigned",
    "linux-image-6.12-amd64-dbg",
]

# A stand-in for qemu-system-x86_64: it finds the data port's file among
# its arguments and behaves as FAKE_QEMU says.
FAKE_QEMU = """#!/bin/sh
data= initrd= prev= kvm=false
for a in "$@"; do
	case "$prev:$a" in
	-serial:file:*) data=${a#file:} ;;
	-initrd:*) initrd=$a ;;
	-accel:kvm) kvm=true ;;
	esac
	prev=$a
done
if $kvm && [ "${FAKE_KVM:-}" != works ]; then
	echo "KVM internal error. Suberror: 1"
	echo "emulation failure"
	exit 1
fi
case $FAKE_QEMU in
data)
	echo "mmlitmus-guest-up 6.1.0-fake"
	cat "$FAKE_DATA" >"$data"
	echo "mmlitmus-guest-exit 0" ;;
answer)
	echo "mmlitmus-guest-up 6.1.0-fake"
	busybox cpio -t <"$initrd" 2>/dev/null >"$data"
	echo "mmlitmus-guest-exit 1" ;;
hang)
	echo "mmlitmus-guest-up 6.1.0-fake"
	exec sleep 60 ;;
panic)
	echo "[    1.0] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b" ;;
esac
"""


def guest_tar(files):
    """What a guest's survey sends back: a gzipped tar of FILES {name: bytes}."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return data.getvalue()


def tool_run(tool, env, *args):
    return subprocess.run([tool, *args], capture_output=True, text=True,
                          env=env, timeout=120)


def main():
    tool, mmlitmus, static, schema = sys.argv[1:5]
    # The initramfs checks need a static busybox, as tools/setup vm
    # installs it; without one the whole test is a skip, as selftests do.
    try:
        guest.busybox()
    except failure.Failure as e:
        print(f"1..0 # SKIP {e}")
        return
    tap = Tap(20)

    pick = debian.newest_package
    tap.ok(pick("6.1", PACKAGES) == "linux-image-6.1.0-56-amd64-unsigned" and
           pick("6.12", PACKAGES) == "linux-image-6.12.117+deb12-amd64-unsigned",
           "6.1 and 6.12 name the newest unsigned generic image (ABI 56 over 9)")
    tap.ok(pick("6.1-rt", PACKAGES) == "linux-image-6.1.0-56-rt-amd64-unsigned" and
           pick("6.12-rt", PACKAGES) == "linux-image-6.12.117+deb12-rt-amd64-unsigned" and
           pick("6.1-cloud", PACKAGES) == "linux-image-6.1.0-56-cloud-amd64-unsigned",
           "a flavour picks its own package, never the generic one")
    tap.ok(pick("6.2", PACKAGES) is None and pick("6.1-foo", PACKAGES) is None and
           pick("6", PACKAGES) is None and pick("linux-image-6.12-amd64-dbg", PACKAGES) and
           pick("linux-image-6.1.0-1-amd64-unsigned", PACKAGES) is None,
           "an unknown version or flavour resolves to nothing; an exact listed name to itself")

    with tempfile.TemporaryDirectory() as work:
        text = os.path.join(work, "notes.txt")
        open(text, "w").write("not a program\n")
        tap.ok(guest.static_elf(static) and guest.static_elf(guest.busybox()) and
               not guest.static_elf(mmlitmus) and not guest.static_elf(text),
               "static ELF: the guest's mmlitmus and busybox are, the host's mmlitmus is not")

        args, inputs = guest.guest_arguments(["replay", "-n", "5", text])
        tap.ok(args == ["replay", "-n", "5", "0-notes.txt"] and
               inputs == {"0-notes.txt": text},
               "a file among the guest's arguments travels to /in under a new name")

        initrd = os.path.join(work, "initrd.cpio")
        os.environ["MMLITMUS_STATIC"] = static
        guest.initramfs(initrd, "mmlitmus replay 0-notes.txt", inputs)
        listing = subprocess.run(["busybox", "cpio", "-t"], stdin=open(initrd, "rb"),
                                 capture_output=True, text=True).stdout.split()
        unpacked = os.path.join(work, "unpacked")
        os.mkdir(unpacked)
        subprocess.run(["busybox", "cpio", "-i"], stdin=open(initrd, "rb"),
                       cwd=unpacked, capture_output=True)
        init = open(os.path.join(unpacked, "init")).read()
        carried = open(os.path.join(unpacked, "in", "0-notes.txt")).read()
        tap.ok({"init", "bin/busybox", "bin/mmlitmus", "in/0-notes.txt"} <= set(listing) and
               carried == "not a program\n" and os.access(os.path.join(unpacked, "init"), os.X_OK),
               "the initramfs holds /init, busybox, the static mmlitmus and the inputs", listing[:8])
        tap.ok("( mmlitmus replay 0-notes.txt ) >/dev/ttyS1" in init and
               init.index(guest.EXIT_MARK) < init.index("poweroff -f"),
               "/init runs the command into the data port, marks its status, then powers off")

        verdict = guest.console_verdict
        panic = verdict("mmlitmus-guest-up 6.1\n[ 2.1] Kernel panic - not syncing: Fatal exception\n")
        tap.ok(verdict("booting\nmmlitmus-guest-up 6.1\nmmlitmus-guest-exit 1\n") == 1 and
               isinstance(panic, failure.Failure) and "Fatal exception" in str(panic) and
               "never reached user space (the console ends: qemu: cannot load" in
               str(verdict("SeaBIOS\nqemu: cannot load the kernel\n")) and
               "stopped before" in str(verdict("mmlitmus-guest-up 6.1\n")),
               "the console gives the exit status, or says panic, no user space or stopped early")

        control = os.path.join(work, "control.litmus")
        open(control, "w").write("pages 2\nop 1 piecewise\nreader 0 asc\nrepeat 20\n")
        replayed = subprocess.run([mmlitmus, "replay", "--json", "-n", "3", control],
                                  capture_output=True).stdout
        sent = corpus.corpus_results(guest_tar({"replays/0.json": replayed,
                                                 "replays/1.json": b""}), ["a.bin", "b.bin"])
        here = corpus.corpus_in("host", {"a.bin": control, "b.bin": text}, 2, None)
        tap.ok(list(sent) == ["a.bin"] and sent["a.bin"][1] == 3 and sent["a.bin"][0] > 0 and
               list(here) == ["a.bin"] and here["a.bin"][1] == 2 and here["a.bin"][0] > 0 and
               "mmlitmus replay --json -n 3 'a b.bin' >/tmp/replays/0.json" in
               corpus.corpus_script(["a b.bin"], 3),
               "the corpus: each file's rate from mmlitmus replay --json, sent back in a "
               "guest's tar or read on the host; a replay that failed gives none", [sent, here])

        table = corpus.corpus_table(
            ["6.1", "host"], ["a.bin", "b.bin"], {"a.bin": "clean", "b.bin": ""},
            [{"a.bin": (3, 20)}, {"a.bin": (0, 20), "b.bin": (1, 20)}])
        tap.ok("| a | clean | 3 of 20 CHANGED | 0 of 20 |" in table and
               "| b | - | no result | 1 of 20 |" in table,
               "the corpus table: a rate per file and kernel, a changed outcome marked, "
               "a missing result said", table.splitlines())

        evidence = os.path.join(work, "evidence")
        came = survey.unpack_survey(guest_tar({
            "survey.json": b'{"kernel": "6.1", "cells": []}',
            "survey-evidence/munmap.bin": b"\x02", "survey-evidence/../../escape.svg": b"<svg/>"}),
            evidence)
        tap.ok(came == {"kernel": "6.1", "cells": []} and
               sorted(os.listdir(evidence)) == ["escape.svg", "munmap.bin"] and
               not os.path.exists(os.path.join(work, "escape.svg")),
               "a guest's survey comes back with its evidence, written only into "
               "the kernel's evidence directory", sorted(os.listdir(evidence)))

        bzimage = os.path.join(work, "bzImage")
        open(bzimage, "wb").write(b"not really a kernel")
        fake = os.path.join(work, "qemu")
        open(fake, "w").write(FAKE_QEMU)
        os.chmod(fake, 0o755)
        env = dict(os.environ, MMLITMUS_QEMU=fake, MMLITMUS_CACHE=os.path.join(work, "cache"),
                   MMLITMUS_STATIC=static, MMLITMUS=mmlitmus)
        log = os.path.join(work, "console.log")
        base = ["--accel", "tcg", "--log", log]

        out = tool_run(tool, dict(env, FAKE_QEMU="answer"), *base, "run", bzimage,
                       "--", "replay", text)
        tap.ok(out.returncode == 1 and "in/0-notes.txt" in out.stdout.split() and
               "TLB is qemu's" in out.stderr,
               "a guest that answers: its exit status and its data come back, with the TCG caveat",
               [out.stderr.strip()])

        out = tool_run(tool, dict(env, FAKE_QEMU="hang"), "--timeout", "2", *base,
                       "run", bzimage)
        tap.ok(out.returncode == 2 and "did not finish in 2 s" in out.stderr and
               f"console log: {log}" in out.stderr and "guest-up" in open(log).read(),
               "a guest that hangs is killed at the time limit; its console log is kept",
               [out.stderr.strip()])

        out = tool_run(tool, dict(env, FAKE_QEMU="panic"), *base, "run", bzimage)
        tap.ok(out.returncode == 2 and "panicked: Kernel panic - not syncing: Attempted to kill init!"
               in out.stderr and len(out.stderr.strip().splitlines()) == 1,
               "a guest that panics: one line with the panic and the log", [out.stderr.strip()])

        out = tool_run(tool, dict(env, MMLITMUS_QEMU=os.path.join(work, "no-qemu")),
                       *base, "run", bzimage)
        tap.ok(out.returncode == 2 and "apt-get install qemu-system-x86" in out.stderr,
               "no qemu: one line saying what to install", [out.stderr.strip()])

        # A guest whose survey comes back (a real one of this machine's,
        # its kernel renamed) beside the host's.
        tiny = ["--ops", "mapfixed,piecewise", "--backings", "memfd", "--page-orders", "0",
                "--read-orders", "asc", "--cell-seconds", "0.1", "--min-racing", "10"]
        made = os.path.join(work, "guest.json")
        subprocess.run([mmlitmus, "survey", "--no-progress", "--markdown", "/dev/null",
                        "--json-file", made, *tiny], check=True)
        sent_survey = json.load(open(made))
        sent_survey["kernel"] = "6.1.0-fake"
        sent = {"survey.json": json.dumps(sent_survey).encode()}
        for c in sent_survey["cells"]:
            if c["evidence"]:
                sent["survey-evidence/" + c["evidence"]["program"]] = b"\x02"
        data = os.path.join(work, "guest.tar.gz")
        open(data, "wb").write(guest_tar(sent))
        across = os.path.join(work, "k.json")
        out = tool_run(tool, dict(env, FAKE_QEMU="data", FAKE_DATA=data), *base, "survey",
                       f"{bzimage},host", *tiny, "--json-file", across)
        try:
            surveys = json.load(open(across))["surveys"]
        except (OSError, ValueError, KeyError):
            surveys = [{}, {}]
        validator = jsonschema.Draft202012Validator(json.load(open(schema)))
        errors = [e.message for s in surveys for e in validator.iter_errors(s)]
        lines = out.stdout.splitlines()
        kept = [os.path.join(surveys[0].get("evidence_dir") or "", c["evidence"]["program"])
                for c in sent_survey["cells"] if c["evidence"]]
        tap.ok(out.returncode == 0 and not errors and
               lines[:1] == [f"`mmlitmus survey --kernels {bzimage},host {' '.join(tiny)} "
                             f"--json-file {across}`"] and
               f"* **{bzimage}**: Linux 6.1.0-fake, {bzimage} under qemu (TCG); 2 cells "
               "of 0.10 s." in lines and
               f"| op | policy | backing | pages | {bzimage} | host |" in lines and
               [s.get("label") for s in surveys] == [bzimage, "host"] and
               surveys[1].get("qemu", 0) is None and kept and
               all(os.path.isfile(k) and f"[program]({k})" in out.stdout for k in kept),
               "a survey across a guest and the host: each labelled with where it ran "
               "(as the schema says), kept in the JSON, its evidence unpacked and linked, "
               "one table drawn by survey --merge", errors[:3] + lines[:12] + [out.stderr])

        again = tool_run(tool, env, "table", across)
        tap.ok(again.returncode == 0 and again.stdout == out.stdout and out.stdout,
               "table draws the same table again from the JSON", [again.stderr])

        if os.access("/dev/kvm", os.R_OK | os.W_OK):
            fresh = dict(env, FAKE_QEMU="answer", MMLITMUS_CACHE=os.path.join(work, "c1"))
            first = tool_run(tool, fresh, "run", bzimage)
            again = tool_run(tool, fresh, "run", bzimage)
            works = tool_run(tool, dict(fresh, FAKE_KVM="works",
                                        MMLITMUS_CACHE=os.path.join(work, "c2")), "run", bzimage)
            tap.ok(first.returncode == 1 and "does not run a guest here: using tcg" in first.stderr and
                   "TLB is qemu's" in first.stderr and "probing" not in again.stderr and
                   again.returncode == 1 and works.returncode == 1 and
                   "KVM runs a guest here: using kvm" in works.stderr and
                   "TLB is qemu's" not in works.stderr,
                   "KVM is probed, not assumed from /dev/kvm: a failing KVM means TCG, "
                   "a working one KVM; the verdict is cached",
                   [first.stderr.strip(), again.stderr.strip(), works.stderr.strip()])
        else:
            tap.ok(True, "# SKIP /dev/kvm is not usable here, so TCG is chosen without a probe")

        missing = os.path.join(work, "no", "bzImage")
        out_s = subprocess.run([mmlitmus, "survey", "--kernels", missing, "--cell-seconds", "1"],
                               capture_output=True, text=True, env=env)
        out_r = subprocess.run([mmlitmus, "replay", "-n", "3", "--kernel", missing, text],
                               capture_output=True, text=True, env=env)
        tap.ok(out_s.returncode == 2 and out_r.returncode == 2 and
               f"{missing}: no such kernel image" in out_s.stderr and
               f"{missing}: no such kernel image" in out_r.stderr,
               "mmlitmus survey --kernels and replay --kernel hand over to tools/kernels",
               [out_s.stderr.strip(), out_r.stderr.strip()])

        out = tool_run(tool, env, "run", "7.99")
        tap.ok(out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and
               "7.99" in out.stderr,
               "a kernel name that is neither listed nor a file: one line", [out.stderr.strip()])
    sys.exit(1 if tap.failed else 0)


main()
