"""The survey across kernels: each kernel's survey JSON, from the host or
from a guest with its evidence, labelled with the kernel's name and how
it ran, and the one table `mmlitmus survey --merge` draws of them."""
import argparse
import json
import os
import shlex
import subprocess
import tarfile
import tempfile

from . import paths
from .debian import resolve
from .failure import Failure, note
from .guest import BOOT_SECONDS, boot, expected_seconds, guest_files, interruptible


def survey_outputs(args):
    """The survey's own output flags split off ARGS: (--markdown,
    --json-file, the flags for each kernel's survey, in their order)."""
    ap = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    ap.add_argument("--markdown")
    ap.add_argument("--json-file")
    outputs, rest = ap.parse_known_args(args)
    return outputs.markdown, outputs.json_file, rest


def unpack_survey(data, evidence):
    """The survey JSON from the guest's gzipped tar, its evidence files
    (survey-evidence/NAME) written into EVIDENCE when it is not None."""
    sent = guest_files(data)
    if "survey.json" not in sent:
        raise ValueError("no survey.json")
    for name, content in sent.items():
        if name.startswith("survey-evidence/") and evidence:
            os.makedirs(evidence, exist_ok=True)
            # Only the file's own name: nothing from the guest is written
            # outside EVIDENCE.
            with open(os.path.join(evidence, os.path.basename(name)), "wb") as f:
                f.write(content)
    return json.loads(sent["survey.json"])


def host_survey(args, evidence):
    """The survey on this machine, its evidence into EVIDENCE (or dropped)."""
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "survey.json")
        out = subprocess.run([paths.mmlitmus(), "survey", "--no-progress",
                              "--markdown", "/dev/null", "--json-file",
                              path, "--evidence-dir", evidence or
                              os.path.join(work, "evidence"), *args])
        if out.returncode not in (0, 1) or not os.path.exists(path):
            raise Failure("the host's survey failed")
        return json.load(open(path))


def survey_in(name, args, opts, evidence=None):
    """One kernel's survey JSON, labelled with NAME and how it ran (the
    fields doc/survey.schema.json says mmlitmus-kernels adds); the
    evidence of its cells with a violation goes into the directory
    EVIDENCE."""
    kernel = resolve(name)
    # With --cell-seconds the guest's matrix decides the time, and the
    # host cannot plan it (the guest offers other features): allow the
    # largest matrix.
    budget = expected_seconds(args, 480)
    if "--cell-seconds" in args:
        budget = 600 * float(args[args.index("--cell-seconds") + 1])
    if evidence:
        os.makedirs(evidence, exist_ok=True)
    if kernel is None:
        survey = host_survey(args, evidence)
        survey.update(label=name, qemu=None, evidence_dir=evidence)
        return survey
    # The JSON and the evidence go back as a gzipped tar: the serial port
    # is slow under TCG.
    timeout = opts.timeout or budget * 1.5 + BOOT_SECONDS
    command = (interruptible(timeout) + "survey --no-progress --markdown "
               "/dev/null --json-file /tmp/survey.json --evidence-dir "
               "/tmp/survey-evidence " + " ".join(shlex.quote(a) for a in args) +
               "; s=$?; mkdir -p /tmp/survey-evidence; "
               "tar -czf - -C /tmp survey.json survey-evidence; exit $s")
    note(f"{name}: the survey in {kernel.what}")
    _, data, accel = boot(kernel, command, {}, opts, timeout)
    try:
        survey = unpack_survey(data, evidence)
    except (OSError, EOFError, ValueError, tarfile.TarError):
        raise Failure(f"{name}: the guest's survey JSON did not come back whole")
    survey.update(label=name, qemu={"image": kernel.what, "accel": accel},
                  evidence_dir=evidence)
    return survey


def merged_table(surveys, command):
    """The table of SURVEYS, a column each, as `mmlitmus survey --merge`
    draws it, under COMMAND, which ran them: (its exit status, the
    text)."""
    with tempfile.TemporaryDirectory() as work:
        files = []
        for i, survey in enumerate(surveys):
            files.append(os.path.join(work, f"{i}.json"))
            with open(files[-1], "w") as f:
                json.dump(survey, f)
        out = subprocess.run([paths.mmlitmus(), "survey", "--merge", *files],
                             capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise Failure(f"the merged table failed: {out.stderr.strip()}")
    return out.returncode, f"`{command}`\n\n{out.stdout}"
