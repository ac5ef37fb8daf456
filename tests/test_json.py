#!/usr/bin/env python3
"""The JSON report against its schema (doc/report.schema.json): real runs
of several shapes validate, the schema refuses what it must, and every
property of the schema says what it means (the schema is where the
fields are described).

Usage: test_json.py MMLITMUS SCHEMA
"""
import json
import subprocess
import sys

import jsonschema

from schema_fields import every_property_described

RUNS = [
    ("the classic test", ["-n", "200"]),
    ("the control, with evidence", ["-n", "3", "-o", "piecewise", "--evidence", "2"]),
    ("munmap of a populated region: holes", ["-n", "3", "-o", "munmap", "-p", "4096",
                                             "--read-order", "pingpong"]),
    ("dontneed of anonymous memory: zeros", ["-n", "50", "-b", "anon", "-o", "dontneed",
                                             "--read-order", "random"]),
    ("two sharing readers, unpinned", ["-n", "20", "-r", "2", "--share", "--no-pin"]),
    ("writer mode over the control: lost writes", ["-n", "3", "-o", "piecewise", "--write"]),
    ("an Inconclusive run", ["-n", "1", "--min-racing", "1000000000"]),
    ("anonymous THP, checked", ["-n", "20", "-b", "anon", "-o", "mapfixed:anon",
                                "--page-order", "9"]),
    ("a best-effort op and an op with work after its change",
     ["-n", "20", "-o", "collapse", "-o", "munmap:8-16"]),
]


def per_op_errors(doc):
    """What is inconsistent in a report's per_op entries: one per op of the
    program, in order, each op's racing reads a part of the racing reads,
    refusals at most one an iteration, and an Inconclusive reason naming
    an op when no huge-page check explains it."""
    errors = []
    per_op, ops = doc["per_op"], doc["program"]["ops"]
    if [o["op"] for o in per_op] != list(range(1, len(ops) + 1)):
        errors.append(f"per_op numbers {[o['op'] for o in per_op]} for {len(ops)} ops")
    if [o["text"] for o in per_op] != [o["text"] for o in ops]:
        errors.append("per_op texts differ from the program's ops")
    if sum(o["racing_reads"] for o in per_op) > doc["racing_reads"]:
        errors.append("the ops' racing reads add up to more than racing_reads")
    if any(o["refusals"] > doc["iterations"] for o in per_op):
        errors.append("more refusals than iterations")
    if any((o["refusals"] > 0) != (o["refusal"] is not None) for o in per_op):
        errors.append("a refusal named without refusals, or refusals without a name")
    reason = doc["verdict"]["inconclusive_reason"]
    if (doc["observation"]["result"] == "Inconclusive" and
            "huge" not in reason and not reason.startswith("op ")):
        errors.append(f"an Inconclusive reason that names no op: {reason}")
    return errors


def main():
    mmlitmus, schema_path = sys.argv[1:3]
    schema = json.load(open(schema_path))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    print(f"1..{len(RUNS) + 4}")
    n = 0
    failed = False
    docs = []
    for what, flags in RUNS:
        n += 1
        out = subprocess.run([mmlitmus, "--json", "--no-progress"] + flags,
                             capture_output=True, text=True)
        if out.returncode == 2 and "--huge-setup" in out.stderr:
            print(f"ok {n} - {what} # SKIP {out.stderr.strip()}")
            continue
        errors = []
        try:
            doc = json.loads(out.stdout)
            docs.append(doc)
            errors = [e.message for e in validator.iter_errors(doc)]
        except json.JSONDecodeError as e:
            errors = [f"not JSON: {e}"]
        for e in errors[:5]:
            print(f"# {e}")
        good = out.returncode in (0, 1) and not errors
        failed |= not good
        print(f"{'' if good else 'not '}ok {n} - {what}: the report fits the schema")

    n += 1
    errors = [f"{d['test']}: {e}" for d in docs for e in per_op_errors(d)]
    for e in errors:
        print(f"# {e}")
    good = bool(docs) and not errors
    failed |= not good
    print(f"{'' if good else 'not '}ok {n} - the per-op entries agree with the "
          "program and the totals")

    n += 1
    evidence = [d for d in docs if d.get("evidence")]
    good = bool(evidence)
    if good:
        bad = json.loads(json.dumps(evidence[0]))
        bad["evidence"][0]["stale"]["surprise"] = 1
        good = not validator.is_valid(bad)
    failed |= not good
    print(f"{'' if good else 'not '}ok {n} - an unknown field deep inside is refused")

    n += 1
    bad = json.loads(json.dumps(docs[0])) if docs else {}
    bad["format"] = 2
    good = bool(docs) and not validator.is_valid(bad)
    failed |= not good
    print(f"{'' if good else 'not '}ok {n} - another format number is refused")

    n += 1
    good, lines = every_property_described(schema)
    for line in lines:
        print(f"# {line}")
    failed |= not good
    print(f"{'' if good else 'not '}ok {n} - every property of the schema has a description")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
