"""Resampling and mask shaping without Qt or numpy: a separable bicubic (Keys, a = -0.5) that widens its kernel when
shrinking (antialiased, like PIL's BICUBIC), and grow / feather for blend masks. Planes are one byte per pixel."""
from __future__ import annotations

import math
import sys
from array import array

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


# Grow and feather work on whole planes packed into one Python integer, a fixed number of bits ("lane") per pixel,
# rows one after another: shifting the integer by a row's bits moves every pixel one row at once, so a vertical window
# of 2r+1 rows takes O(log r) big-integer operations instead of a Python loop over pixels. Horizontal windows run the
# same way on the transposed plane. Pixels beyond the plane count as 0 (shifted-in bits are zero, shifted-out dropped).

def _transpose(values, width: int, height: int):
    """A row-major plane (bytes or array) as its transpose (height×width becomes width×height), same type."""
    out = values[0:0]
    for x in range(width):
        out += values[x::width]
    return out


def _pack(values: bytes, lane: int) -> int:
    """One value per `lane` bytes, big-endian: the first pixel in the most significant lane."""
    if lane == 1:
        return int.from_bytes(values, "big")
    wide = bytearray(lane * len(values))
    wide[lane - 1::lane] = values
    return int.from_bytes(wide, "big")


def _window(n: int, count: int, unit: int, combine) -> int:
    """`combine` (or / add) of n shifted by 0..count-1 units toward the top: lane i gets lanes i..i+count-1."""
    result, offset, block, size = 0, 0, n, 1
    while count:
        if count & size:
            result = combine(result, block << (offset * unit))
            offset += size
            count -= size
        block = combine(block, block << (size * unit))
        size *= 2
    return result


def _vertical(n: int, radius: int, row_bits: int, total_bits: int, combine) -> int:
    """Each lane combined with the lanes up to `radius` rows above and below it."""
    return (_window(n, 2 * radius + 1, row_bits, combine) >> (radius * row_bits)) & ((1 << total_bits) - 1)


def _or(a: int, b: int) -> int:
    return a | b


def _add(a: int, b: int) -> int:
    return a + b


_NONZERO = bytes([0] + [1] * 255)
_SET = bytes([0, 255]) + bytes(254)


def grow(values: bytes, width: int, height: int, radius: int) -> bytes:
    """The set (non-zero) pixels dilated by `radius` (a square neighbourhood): 255 there, 0 elsewhere."""
    if radius <= 0:
        return bytes(values)
    n = len(values)
    bits = 8 * n
    flags = bytes(values).translate(_NONZERO)  # 0/1 per byte: OR never carries into a neighbour
    tall = _vertical(_pack(flags, 1), radius, 8 * width, bits, _or).to_bytes(n, "big")
    wide = _vertical(_pack(_transpose(tall, width, height), 1), radius, 8 * height, bits, _or).to_bytes(n, "big")
    return _transpose(wide, height, width).translate(_SET)


def feather(values: bytes, width: int, height: int, radius: int) -> bytes:
    """The mask blurred twice by a box of `radius` (a tent: its edges ramp over 2·radius pixels each side).
    Pixels outside the plane count as 0. Sums stay exact in 64-bit lanes; one rounding at the end."""
    if radius <= 0:
        return bytes(values)
    size = 2 * radius + 1
    if 255 * size ** 4 >= 1 << 64:
        raise ValueError("feather radius %d is too large" % radius)
    n = len(values)
    bits = 64 * n
    packed = _pack(bytes(values), 8)
    for _ in range(2):
        packed = _vertical(packed, radius, 64 * width, bits, _add)
    lanes = _lanes(packed, n)
    packed = int.from_bytes(_transpose(lanes, width, height).tobytes() if sys.byteorder == "big"
                            else _swapped(_transpose(lanes, width, height)), "big")
    for _ in range(2):
        packed = _vertical(packed, radius, 64 * height, bits, _add)
    sums = _transpose(_lanes(packed, n), height, width)
    div = size ** 4
    half = div // 2
    return bytes([(s + half) // div for s in sums])


def _lanes(packed: int, n: int) -> array:
    """The 64-bit lanes of a packed plane as an array, first pixel first."""
    out = array("Q", packed.to_bytes(8 * n, "big"))
    if sys.byteorder == "little":
        out.byteswap()
    return out


def _swapped(lanes: array) -> bytes:
    copy = array("Q", lanes)
    copy.byteswap()
    return copy.tobytes()
