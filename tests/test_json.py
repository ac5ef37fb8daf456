#!/usr/bin/env python3
"""The JSON report against its schema (doc/report.schema.json): real runs
of several shapes validate, the schema refuses what it must, and README.md
names every field the schema has.

Usage: test_json.py MMLITMUS SCHEMA README
"""
import json
import subprocess
import sys

import jsonschema

from schema_fields import field_names

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
]


def main():
    mmlitmus, schema_path, readme_path = sys.argv[1:4]
    schema = json.load(open(schema_path))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    print(f"1..{len(RUNS) + 3}")
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
    readme = open(readme_path).read()
    section = readme[readme.find("## JSON output"):]
    section = section[:section.find("\n## ", 1)]
    missing = sorted(name for name in field_names(schema)
                     if f"`{name}`" not in section)
    for name in missing:
        print(f"# README.md, 'JSON output', does not name `{name}`")
    failed |= bool(missing)
    print(f"{'' if not missing else 'not '}ok {n} - README.md documents every field")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
