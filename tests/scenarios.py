#!/usr/bin/env python3
"""The litmus scenarios of tests/test_litmus.c, for tests/meson.build: one
"name:seconds" a line, read from the C tables (a scenario's name and its
timeout open its entry), so that the names are written once."""
import re
import sys

with open(sys.argv[1]) as source:
    for name, seconds in re.findall(r'^\t\{"([a-z0-9-]+)", (\d+),', source.read(), re.M):
        print(f"{name}:{seconds}")
