#!/usr/bin/env python3
"""`mmlitmus survey` end to end on a tiny matrix (3 ops x 2 backings x 2
read orders at 0.2 s a cell): the Markdown and JSON shapes, the JSON
against doc/survey.schema.json, the control showing a violation, a Never
backed by racing reads and calibrated by its control, the rates' bounds,
the evidence of every cell with a violation (its program and picture), a
cell the model refuses listed with its reason, usage errors, an
interrupted survey still writing its table, and a description for every
property of the schema.

Usage: test_survey.py MMLITMUS SCHEMA
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import jsonschema

# The tools' package, for its TAP lines; no bytecode left in the sources.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
sys.dont_write_bytecode = True
from mmltools.tap import Tap  # noqa: E402
from schema_fields import every_property_described  # noqa: E402

TINY = ["--ops", "mapfixed,piecewise,truncate", "--backings", "memfd,anon",
        "--page-orders", "0", "--read-orders", "asc,pingpong",
        "--cell-seconds", "0.2", "--no-progress",
        # Any racing read proves overlap, and 0.2 s must be enough for a
        # Never on a busy machine, or one that lets a reader into
        # mmap(MAP_FIXED) once in thirty iterations (bench/README.md,
        # table 6: 10 to 20 racing reads a cell); test_litmus's mapfixed
        # scenarios test the threshold itself.
        "--min-racing", "1"]


def cells_of(doc, op, backing=None):
    return [c for c in doc["cells"]
            if c["op"] == op and (backing is None or c["backing"] == backing)]


def table_rows(md):
    return [line for line in md.splitlines() if line.startswith("| ")]


def usage_error(mmlitmus, args):
    out = subprocess.run([mmlitmus, "survey"] + args, capture_output=True,
                         text=True, timeout=30)
    lines = out.stderr.splitlines()
    return (out.returncode == 2 and not out.stdout and len(lines) == 1
            and lines[0].startswith("mmlitmus: "), lines)


def interrupted_survey(mmlitmus):
    """SIGINT during the first of two 2-second cells: the table comes out."""
    proc = subprocess.Popen([mmlitmus, "survey", "--ops", "mapfixed",
                             "--backings", "memfd", "--page-orders", "0",
                             "--read-orders", "asc,desc", "--cell-seconds", "2",
                             "--no-progress"],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    return proc.returncode == 0 and "skipped: interrupted" in out, out


def rate_problems(doc):
    """Cells whose rate is not the rule of three for a Never, or whose
    interval does not hold k/n."""
    bad = []
    for c in doc["cells"]:
        if c["status"] != "ran":
            continue
        k, n, r = c["violation_iterations"], c["iterations"], c["rate"]
        if k == 0:
            good = r["low"] == 0 and abs(r["high"] - min(1, 3 / n)) < 1e-9
        else:
            good = r["method"] == "Wilson" and r["low"] <= k / n <= r["high"]
        if not good:
            bad.append(f"{c['op']} {c['backing']} {c['read_order']}: {k} of {n}, {r}")
    return bad


def calibration_problems(doc):
    """Cells that ran without a control that ran, or whose calibrated
    field does not follow from their control."""
    bad = []
    for c in doc["cells"]:
        ctl = c["control"]
        if c["status"] != "ran":
            good = c["calibrated"] is None
        else:
            good = (ctl is not None and ctl["status"] == "ran" and
                    ctl["op"].startswith("piecewise:") and ctl["shared"] >= 1 and
                    c["calibrated"] == (ctl["violation_iterations"] > 0))
        if not good:
            bad.append(f"{c['op']} {c['backing']} {c['read_order']}: {ctl}")
    return bad


def evidence_problems(mmlitmus, doc, directory):
    """Cells with a violation whose program file does not decode to their
    program, or whose picture is not an SVG with the violation marked;
    cells without one that have evidence."""
    bad = []
    for c in doc["cells"]:
        ev = c["evidence"]
        if not c["violation_iterations"]:
            if ev is not None:
                bad.append(f"{c['op']} {c['read_order']}: evidence without a violation")
            continue
        if ev is None:
            bad.append(f"{c['op']} {c['backing']} {c['read_order']}: no evidence")
            continue
        out = subprocess.run([mmlitmus, "decode", os.path.join(directory, ev["program"])],
                             capture_output=True, text=True)
        same = [l for l in out.stdout.splitlines() if not l.startswith("repeat ")] == \
            [l for l in c["program"].splitlines() if not l.startswith("repeat ")]
        try:
            root = ET.parse(os.path.join(directory, ev["picture"])).getroot()
            # The violation's stale read is marked.
            svg = root.tag.endswith("svg") and \
                ET.tostring(root).decode().count("mark-stale") > 0
        except (OSError, ET.ParseError):
            svg = False
        if out.returncode != 0 or not same or not svg:
            bad.append(f"{ev}: decodes {out.returncode}, same program {same}, svg {svg}")
    return bad


def main():
    mmlitmus, schema_path = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        failed = run_tests(mmlitmus, schema_path, tmp)
    sys.exit(1 if failed else 0)


def run_tests(mmlitmus, schema_path, tmp):
    schema = json.load(open(schema_path))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    tap = Tap(17)

    md_path, json_path = os.path.join(tmp, "s.md"), os.path.join(tmp, "s.json")
    out = subprocess.run([mmlitmus, "survey", "--markdown", md_path,
                          "--json-file", json_path] + TINY,
                         capture_output=True, text=True, timeout=120)
    tap.ok(out.returncode == 0 and not out.stdout, "the tiny survey exits 0 and writes its files",
           out.stderr.splitlines())
    md = open(md_path).read() if os.path.exists(md_path) else ""
    try:
        doc = json.load(open(json_path))
        errors = [e.message for e in validator.iter_errors(doc)]
    except (OSError, json.JSONDecodeError) as e:
        doc, errors = {"cells": []}, [str(e)]
    tap.ok(not errors, "the JSON fits the schema", errors[:5])

    bad_cell = json.loads(json.dumps(doc))
    if bad_cell["cells"]:
        bad_cell["cells"][0]["surprise"] = 1
    bad_format = dict(doc, format=2)
    tap.ok(bool(doc["cells"]) and not validator.is_valid(bad_cell) and
           not validator.is_valid(bad_format),
           "the schema refuses an unknown field in a cell, and another format")

    combos = {(c["op"], c["backing"], c["read_order"]) for c in doc["cells"]}
    tap.ok(len(doc["cells"]) == 12 and len(combos) == 12 and doc["format"] == 1,
           "the JSON has one cell per op x backing x read order")

    rows = table_rows(md)
    head = "| op | policy | backing | pages | asc | pingpong |"
    shaped = (len(rows) == 1 + 5 and rows[0] == head and
              f"{head}\n|---|---|---|---|---|---|\n" in md and
              all(row.count("|") == 7 for row in rows))
    tap.ok(shaped and md.startswith("Linux ") and "`mmlitmus survey --markdown" in md,
           "Markdown: header, then a row per op x backing that ran, a column per read order",
           [] if shaped else rows)

    # Where the control fired, it is expected; a 0.2 s cell may miss it on
    # a machine that lets readers into a mapping call once in a hundred
    # iterations (bench/README.md, "The loop mapped its files read-only").
    piecewise = [c for c in cells_of(doc, "piecewise") if c["status"] == "ran"]
    fired = [c for c in piecewise if c["result"] in ("Sometimes", "Always")]
    expected = all(c["violations"]["new-then-stale"]["expected"] > 0 and
                   c["violations"]["new-then-stale"]["iterations"] > 0 and
                   c["findings"] == 0 and c["first_violation_seconds"] is not None
                   for c in fired)
    quiet = all(c["findings"] == 0 and c["violation_iterations"] == 0
                for c in piecewise if c not in fired)
    row = [r for r in rows if r.startswith("| piecewise (the control) | control | memfd |")]
    tap.ok(len(piecewise) == 4 and fired and expected and quiet and row and
           "new-then-stale" in "".join(r for r in rows if r.startswith("| piecewise")),
           "the piecewise control shows new-then-stale, expected, where it fired",
           [f"{c['backing']} {c['read_order']}: {c['result']}" for c in piecewise] + row)

    # A cell that raced too little on such a machine says Inconclusive;
    # with no Never at all the check is skipped, naming the counts.
    mapfixed = cells_of(doc, "mapfixed", "memfd")
    nevers = [c for c in mapfixed if c["result"] == "Never"]
    never = all(c["racing_reads"] > 0 and c["violation_iterations"] == 0 and
                c["calibrated"] for c in nevers)
    short = all(c["result"] == "Inconclusive" and c["violation_iterations"] == 0
                for c in mapfixed if c not in nevers)
    row = [r for r in rows if r.startswith("| mapfixed (mmap MAP_FIXED) | atomic | memfd |")]
    what = "mapfixed over a memfd: Never, backed by racing reads and calibrated by its control"
    if not nevers:
        what += (" # SKIP no Never on this machine: "
                 + ", ".join(f"{c['racing_reads']} racing reads" for c in mapfixed))
    tap.ok(len(mapfixed) == 2 and never and short and row and
           row[0].count(" | Never ≤") == len(nevers) and
           row[0].count("racing; control ") == len(nevers),
           what,
           [f"{c['read_order']}: {c['result']}, {c['racing_reads']} racing, "
            f"control {c['control']['violation_iterations']} of {c['control']['iterations']}"
            for c in mapfixed] + row)

    bad = calibration_problems(doc)
    shared = cells_of(doc, "mapfixed", "anon")[0]["control"] == \
        cells_of(doc, "piecewise", "anon")[0]["control"]
    tap.ok(not bad and shared and doc["control_share"] == 0.25,
           "every cell that ran has a control that ran, shared by cells of one shape, "
           "and is calibrated when it fired", bad)

    bad = rate_problems(doc)
    tap.ok(not bad, "a Never's rate is at most 3/n; a violation's interval holds k/n", bad)

    directory = os.path.join(tmp, "s-evidence")
    bad = evidence_problems(mmlitmus, doc, directory)
    linked = all(f"[picture]({directory}/{c['evidence']['picture']})" in md
                 for c in doc["cells"] if c["evidence"])
    tap.ok(not bad and linked and doc["evidence_dir"] == directory and
           any(c["evidence"] for c in doc["cells"]),
           "every cell with a violation keeps its program and a picture, linked "
           "from the table", bad)

    truncate = cells_of(doc, "truncate", "anon")
    reason = truncate[0]["reason"] if truncate else ""
    na = (len(truncate) == 2 and reason and
          all(c["status"] == "n/a" and c["reason"] == reason and c["result"] is None
              for c in truncate))
    listed = f"* n/a: {reason}: truncate on anon 16 x 4 KiB" in md
    tap.ok(na and listed and "| truncate (ftruncate to half) | not atomic | anon" not in md,
           "truncate of anonymous memory: n/a with the model's reason, listed under the table",
           [reason])

    for args, what in [
            (["--ops", "bogus"], "an unknown op"),
            (["--budget", "5", "--cell-seconds", "1"], "a budget and seconds per cell"),
            (["--backings", "hugetlb", "--page-orders", "0"], "a filter no cell matches"),
            (["--markdown", os.path.join(tmp, "no", "such", "dir")], "an output that cannot be opened")]:
        good, lines = usage_error(mmlitmus, args)
        tap.ok(good, f"{what} is a one-line error before any cell runs", lines)

    good, text = interrupted_survey(mmlitmus)
    tap.ok(good, "SIGINT ends the survey and its table still comes out",
           [] if good else text.splitlines())

    good, lines = every_property_described(schema)
    tap.ok(good, "every property of the survey's schema has a description", lines)
    return tap.failed


if __name__ == "__main__":
    main()
