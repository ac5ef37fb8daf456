#!/usr/bin/env python3
"""Pictures of a race (--plot): the SVG renders (rsvg-convert), and the
pixels where it marks the violation's two reads are the mark's colour; a
dense trace (100k pages) stays small; a run that never fired draws its last
iteration without marks; a reader of one page gets a lane of that page.

Usage: test_plot.py MMLITMUS
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

# The tools' package, for its TAP lines; no bytecode left in the sources.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools"))
sys.dont_write_bytecode = True
from mmltools.tap import Tap  # noqa: E402

MARK = (255, 0, 255)
GEN0 = (0xbd, 0xbd, 0xbd)
GEN1 = (0x1f, 0x77, 0xb4)
HOLE = (0, 0, 0)


def read_png(path):
    """(width, height, rows, bytes per pixel) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "expected 8-bit RGB(A)"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def pixel(png, x, y):
    row = png[2][int(round(y))]
    i = int(round(x)) * png[3]
    return tuple(row[i:i + 3])


def near(rgb, want, slack=40):
    return all(abs(a - b) <= slack for a, b in zip(rgb, want))


def marks(svg):
    """{id: (x, y)} of the marked reads."""
    found = {}
    for m in re.finditer(r'<circle id="(mark-\w+)" cx="([\d.]+)" cy="([\d.]+)"', svg):
        found[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return found


def placed_right(svg, found):
    """Each mark where its label's page and read number put it, computed
    from the lane's frame and axis labels."""
    frame = re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="(\d+)" height="(\d+)" '
                      r'fill="none"', svg)
    lo = int(re.search(r'>read (\d+)</text>', svg).group(1))
    hi = int(re.findall(r'>read (\d+)</text>', svg)[1])
    left, top, width, height = (float(g) for g in frame.groups())
    for mark, label in (("mark-new", "new"), ("mark-stale", "stale")):
        m = re.search(label + r': page (\d+), read (\d+), [\w ]+<', svg)
        if not m:
            print(f"# no label '{label}: page P, read R, VALUE'")
            return False
        page, read = int(m.group(1)), int(m.group(2))
        x = left + (read - lo + 0.5) * width / (hi - lo + 1)
        y = top + (2 - 1 - page + 0.5) * height / 2
        cx, cy = found[mark]
        if abs(cx - x) > 2 or abs(cy - y) > 2:
            print(f"# {mark} at ({cx}, {cy}), expected ({x:.1f}, {y:.1f})")
            return False
    return True


def draw(mmlitmus, work, name, args):
    svg = os.path.join(work, name + ".svg")
    png = os.path.join(work, name + ".png")
    out = subprocess.run([mmlitmus] + args + ["--plot", svg], capture_output=True,
                         text=True)
    if out.returncode not in (0, 1) or not os.path.exists(svg):
        print(f"# {' '.join(args)}: {out.stderr.strip()}")
        return None, None
    subprocess.run(["rsvg-convert", "-o", png, svg], check=True)
    return open(svg).read(), read_png(png)


def check_marked(tap, text, png, what):
    found = marks(text) if text else {}
    good = png is not None and set(found) == {"mark-new", "mark-stale"}
    tap.ok(good, f"{what}: the new and the stale read are marked")
    good = good and all(near(pixel(png, x, y), MARK) for x, y in found.values())
    if found and png:
        print("# mark pixels: " + ", ".join(
            f"{k} {pixel(png, *v)}" for k, v in sorted(found.items())))
    tap.ok(good, f"{what}: the marked pixels are the mark's colour")
    return found


def main():
    mmlitmus = sys.argv[1]
    tap = Tap(10)
    with tempfile.TemporaryDirectory() as work:
        text, png = draw(mmlitmus, work, "two", ["run", "-s", "30", "--stop-on-violation",
                                               "--no-progress",
                                               "-p", "2", "-o", "piecewise:asc"])
        found = check_marked(tap, text, png, "2 pages, the control")
        good = bool(found) and placed_right(text, found) and \
            near(pixel(png, 970, found["mark-new"][1]), GEN1)
        tap.ok(good, "2 pages: each mark sits on its read's page and read number")
        good = bool(text) and re.search(r'new: page \d, read \d+, gen 1<', text) and \
            re.search(r'stale: page \d, read \d+, gen 0<', text)
        tap.ok(bool(good), "2 pages: each mark says what its read saw")

        text, png = draw(mmlitmus, work, "dense",
                         ["run", "-n", "1", "--no-progress", "-b", "anon", "--no-populate",
                          "-p", "100000", "-o", "piecewise:desc"])
        check_marked(tap, text, png, "100k pages")
        size = len(text) if text else 0
        print(f"# 100k pages: {size} bytes of SVG")
        tap.ok(0 < size < 2_000_000, "100k pages: the picture is aggregated into a bounded size")

        text, png = draw(mmlitmus, work, "clean", ["run", "-n", "20", "--no-progress",
                                                 "-p", "1"])
        good = text is not None and not marks(text) and "no iteration fired" in text \
            and png is not None
        tap.ok(good, "1 page, nothing fired: the last iteration, no marks")

        text, png = draw(mmlitmus, work, "single", ["run", "-n", "2", "--no-progress",
                                                  "-p", "16", "-o", "munmap",
                                                  "--read-order", "single:5"])
        frame = re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="(\d+)" height="(\d+)" '
                          r'fill="none"', text or "")
        good = bool(png) and bool(frame) and ">page 5</text>" in text and \
            ">page 15</text>" not in text
        if good:
            left, top, width, height = (float(g) for g in frame.groups())
            colours = [pixel(png, left + width * f, top + height * g)
                       for f in (0.25, 0.5, 0.75) for g in (0.1, 0.5, 0.9)]
            print("# single:5 lane pixels: " + ", ".join(map(str, colours)))
            good = all(near(c, GEN0) or near(c, HOLE) for c in colours)
        tap.ok(good, "a reader of one page: its lane is that page, coloured top to bottom")

        crash = os.path.join(work, "control.litmus")
        with open(crash, "w") as f:
            f.write("pages 16\nop 1 piecewise:asc\nreader 0 asc\nrepeat 4\n")
        text, png = draw(mmlitmus, work, "replay", ["replay", crash])
        found = marks(text) if text else {}
        good = bool(png) and len(found) == 2 and \
            all(near(pixel(png, x, y), MARK) for x, y in found.values())
        tap.ok(good, "replay --plot marks the firing iteration's pair")
    sys.exit(1 if tap.failed else 0)


if __name__ == "__main__":
    main()
