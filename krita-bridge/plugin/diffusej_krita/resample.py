"""Resampling and mask shaping without Qt or numpy: a separable bicubic (Keys, a = -0.5) that widens its kernel when
shrinking (antialiased, like PIL's BICUBIC), and grow / feather for blend masks. Planes are one byte per pixel."""
from __future__ import annotations

import math
from itertools import accumulate

from .imaging import RgbaImage


def _cubic(x: float) -> float:
    x = abs(x)
    if x < 1:
        return (1.5 * x - 2.5) * x * x + 1
    if x < 2:
        return ((-0.5 * x + 2.5) * x - 4) * x + 2
    return 0.0


def _weights(src: int, dst: int) -> list:
    """For each output index: (first source index, normalised weights) over the source pixels it covers."""
    scale = src / dst
    support = 2.0 * max(scale, 1.0)
    stretch = max(scale, 1.0)
    table = []
    for i in range(dst):
        centre = (i + 0.5) * scale
        lo = max(0, int(math.floor(centre - support)))
        hi = min(src, int(math.ceil(centre + support)))
        ws = [_cubic((j + 0.5 - centre) / stretch) for j in range(lo, hi)]
        total = sum(ws) or 1.0
        table.append((lo, [w / total for w in ws]))
    return table


def _resize_rows(rows: list, dst: int, src: int) -> list:
    """Each row (a list of numbers, length src) resampled to length dst."""
    if src == dst:
        return [list(r) for r in rows]
    table = _weights(src, dst)
    out = []
    for row in rows:
        out.append([sum(w * v for w, v in zip(ws, row[lo:lo + len(ws)])) for lo, ws in table])
    return out


def resize_plane(values: bytes, width: int, height: int, new_width: int, new_height: int) -> bytes:
    """One byte per pixel, width×height → new_width×new_height (bicubic, antialiased when shrinking)."""
    if len(values) != width * height:
        raise ValueError("plane has %d values for %dx%d pixels" % (len(values), width, height))
    if new_width <= 0 or new_height <= 0:
        raise ValueError("cannot resize to %dx%d" % (new_width, new_height))
    rows = [values[y * width:(y + 1) * width] for y in range(height)]
    rows = _resize_rows(rows, new_width, width)
    columns = _resize_rows([list(c) for c in zip(*rows)], new_height, height)
    return bytes(min(255, max(0, int(v + 0.5))) for row in zip(*columns) for v in row)


def resize(image: RgbaImage, width: int, height: int) -> RgbaImage:
    """An RGBA image resampled to width×height, channel by channel (colour and alpha alike)."""
    if (image.width, image.height) == (width, height):
        return image
    planes = [resize_plane(image.data[c::4], image.width, image.height, width, height) for c in range(4)]
    out = bytearray(4 * width * height)
    for c in range(4):
        out[c::4] = planes[c]
    return RgbaImage(width, height, bytes(out))


def _max_rows(rows: list, radius: int) -> list:
    out = []
    for row in rows:
        n = len(row)
        padded = bytes(radius) + bytes(row) + bytes(radius)
        out.append(bytes(map(max, *(padded[d:d + n] for d in range(2 * radius + 1)))))
    return out


def grow(values: bytes, width: int, height: int, radius: int) -> bytes:
    """The mask dilated by `radius` pixels (a square neighbourhood's maximum)."""
    if radius <= 0:
        return bytes(values)
    rows = _max_rows([values[y * width:(y + 1) * width] for y in range(height)], radius)
    columns = _max_rows([bytes(c) for c in zip(*rows)], radius)
    return bytes(v for row in zip(*columns) for v in row)


def _box_rows(rows: list, radius: int) -> list:
    out = []
    size = 2 * radius + 1
    for row in rows:
        n = len(row)
        sums = [0] + list(accumulate(bytes(radius) + bytes(row) + bytes(radius)))
        out.append([(sums[i + size] - sums[i]) / size for i in range(n)])
    return out


def feather(values: bytes, width: int, height: int, radius: int) -> bytes:
    """The mask blurred twice by a box of `radius` (a tent: its edges ramp over 2·radius pixels each side).
    Pixels outside the plane count as 0."""
    if radius <= 0:
        return bytes(values)
    plane = values
    for _ in range(2):
        rows = _box_rows([plane[y * width:(y + 1) * width] for y in range(height)], radius)
        rows = [bytes(int(v + 0.5) for v in r) for r in rows]
        columns = _box_rows([bytes(c) for c in zip(*rows)], radius)
        plane = bytes(int(v + 0.5) for row in zip(*columns) for v in row)
    return plane
