"""TAP output for the Python tests: a plan, then one line a check, with
notes as comments above it."""


class Tap:
    def __init__(self, planned):
        self.n = 0
        self.failed = False
        print(f"1..{planned}", flush=True)

    def ok(self, good, what, notes=()):
        self.n += 1
        for note in notes:
            for line in str(note).splitlines():
                print(f"# {line}")
        self.failed |= not good
        print(f"{'' if good else 'not '}ok {self.n} - {what}", flush=True)

