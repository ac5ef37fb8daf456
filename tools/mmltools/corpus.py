"""The corpus across kernels: every program of a directory replayed in
each kernel with `mmlitmus replay --json`, a rate per kernel beside the
outcome its .expect keeps."""
import json
import re
import shlex
import tarfile

from .debian import resolve
from .failure import Failure, note
from .guest import BOOT_SECONDS, TCG_NOTE, boot, guest_files, on_host


def corpus_script(names, runs):
    """A guest command that replays each file with `mmlitmus replay
    --json` into replays/I.json, I its place among NAMES, and sends them
    back as one gzipped tar: the serial port is slow under TCG."""
    lines = ["mkdir -p /tmp/replays"]
    for i, name in enumerate(names):
        lines.append(f"mmlitmus replay --json -n {runs} {shlex.quote(name)} "
                     f">/tmp/replays/{i}.json")
    return "; ".join(lines + ["tar -czf - -C /tmp replays"])


def replay_rate(text):
    """(fired, runs) from what `mmlitmus replay --json` printed, or None
    when it printed no replay (its error went to stderr)."""
    try:
        replay = json.loads(text)
        return replay["fired"], replay["runs"]
    except (ValueError, KeyError, TypeError):
        return None


def corpus_results(data, names):
    """{name: (fired, runs)} from a guest's tar of corpus_script's
    replays; a file whose replay failed has none."""
    sent = guest_files(data)
    rates = {f: replay_rate(sent.get(f"replays/{i}.json", b""))
             for i, f in enumerate(names)}
    return {f: rate for f, rate in rates.items() if rate}


def corpus_in(name, files, runs, opts):
    """{file: (fired, runs)} for FILES ({name: path}) replayed in NAME."""
    kernel = resolve(name)
    if kernel is None:
        rates = {f: replay_rate(on_host(["replay", "--json", "-n", str(runs), path])[1])
                 for f, path in files.items()}
        return {f: rate for f, rate in rates.items() if rate}
    note(f"{name}: the corpus in {kernel.what}")
    _, data, accel = boot(kernel, corpus_script(list(files), runs), files,
                          opts, opts.timeout or len(files) * 60 + BOOT_SECONDS)
    if accel == "tcg":
        note(TCG_NOTE)
    try:
        return corpus_results(data, list(files))
    except (OSError, EOFError, tarfile.TarError):
        raise Failure(f"{name}: the guest's replays did not come back whole")


def kept_outcome(path):
    try:
        m = re.search(r"^outcome (\w+)", open(path).read(), re.M)
    except OSError:
        return ""
    return m.group(1) if m else ""


def corpus_table(names, files, outcomes, results):
    """A Markdown table: an entry a row, its kept outcome, then its rate in
    each kernel, marked where the outcome differs from the kept one."""
    lines = ["| entry | kept outcome | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
    for f in files:
        cells = []
        for result in results:
            if f not in result:
                cells.append("no result")
                continue
            fired, runs = result[f]
            differs = outcomes[f] and (outcomes[f] == "finding") != (fired > 0)
            cells.append(f"{fired} of {runs}" + (" CHANGED" if differs else ""))
        lines.append(f"| {f[:-4]} | {outcomes[f] or '-'} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
