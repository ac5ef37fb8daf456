"""How the pieces of tools/kernels say what went wrong: a Failure is one
line on stderr and exit status 2."""
import sys


class Failure(Exception):
    """An error for one line on stderr and exit status 2."""


def note(message):
    print(f"kernels: {message}", file=sys.stderr, flush=True)
