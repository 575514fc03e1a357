"""Pixels without Qt: PNG encode/decode (8-bit, stdlib zlib), Krita's BGRA byte order, masks and regions."""
from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def is_empty(self) -> bool:
        return self.width <= 0 or self.height <= 0


@dataclass
class RgbaImage:
    """8-bit RGBA pixels, row-major, 4 bytes per pixel in R, G, B, A order."""
    width: int
    height: int
    data: bytes

    def pixel(self, x: int, y: int) -> tuple:
        i = 4 * (y * self.width + x)
        return tuple(self.data[i:i + 4])


def padded_region(bounds: Rect, padding: int, canvas_w: int, canvas_h: int, multiple: int = 8) -> Rect:
    """The selection's bounds grown by `padding`, then to a multiple of `multiple` per side, kept inside the canvas.
    Where the canvas side is too short for that (a side that is not a multiple itself), the region spans the whole
    side: never smaller than the canvas, so no edge strip is left out. `processing_size` pads such a region."""
    x0 = max(0, bounds.x - padding)
    y0 = max(0, bounds.y - padding)
    x1 = min(canvas_w, bounds.right + padding)
    y1 = min(canvas_h, bounds.bottom + padding)
    x0, x1 = _grow_to_multiple(x0, x1, canvas_w, multiple)
    y0, y1 = _grow_to_multiple(y0, y1, canvas_h, multiple)
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _grow_to_multiple(lo: int, hi: int, limit: int, multiple: int) -> tuple:
    target = round_up(hi - lo, multiple)
    if target >= limit:
        return 0, limit
    hi = min(limit, hi + target - (hi - lo))
    return hi - target, hi


def round_up(size: int, multiple: int = 8) -> int:
    return -(-size // multiple) * multiple


def clip(rect: Rect, canvas_w: int, canvas_h: int) -> Rect:
    """`rect` cut to the canvas (may come out empty)."""
    x0, y0 = max(0, rect.x), max(0, rect.y)
    x1, y1 = min(canvas_w, rect.right), min(canvas_h, rect.bottom)
    return Rect(x0, y0, max(0, x1 - x0), max(0, y1 - y0))


def pad_edges(image: "RgbaImage", width: int, height: int) -> "RgbaImage":
    """`image` grown to width×height at the right and bottom by repeating its last column and row."""
    row_extra = width - image.width
    rows = []
    for y in range(height):
        start = 4 * min(y, image.height - 1) * image.width
        row = image.data[start:start + 4 * image.width]
        rows.append(row + row[-4:] * row_extra)
    return RgbaImage(width, height, b"".join(rows))


def pad_plane(values: bytes, width: int, height: int, new_width: int, new_height: int, fill: int = 0) -> bytes:
    """One byte per pixel (a mask), grown to new_width×new_height at the right and bottom with `fill`."""
    pad = bytes([fill]) * (new_width - width)
    rows = [values[y * width:(y + 1) * width] + pad for y in range(height)]
    rows.append(bytes([fill]) * (new_width * (new_height - height)))
    return b"".join(rows)


def extend_plane(values: bytes, width: int, height: int, left: int, top: int, right: int, bottom: int) -> bytes:
    """One byte per pixel, grown by the given counts on each side by repeating the edge pixels."""
    rows = []
    for y in range(height):
        row = values[y * width:(y + 1) * width]
        rows.append(row[:1] * left + row + row[-1:] * right)
    return b"".join([rows[0]] * top + rows + [rows[-1]] * bottom)


def bgra_to_rgba(bgra: bytes) -> bytes:
    """Krita's pixelData byte order (B, G, R, A) to R, G, B, A."""
    out = bytearray(bgra)
    out[0::4] = bgra[2::4]
    out[2::4] = bgra[0::4]
    return bytes(out)


def rgba_to_bgra(rgba: bytes) -> bytes:
    return bgra_to_rgba(rgba)  # the swap is its own inverse


def mask_from_selection(values: bytes, threshold: int = 1) -> bytes:
    """Krita selection bytes (0..255, one per pixel) to an 8-bit mask: 255 = repaint, 0 = keep."""
    return bytes(values).translate(bytes(255 if v >= threshold else 0 for v in range(256)))


def selection_bounds(values: bytes, width: int, height: int, threshold: int = 1) -> Rect | None:
    """Bounding box of selected pixels in a width×height selection byte array, or None when nothing is selected."""
    flags = bytes(values).translate(bytes(1 if v >= threshold else 0 for v in range(256)))
    x0, y0, x1, y1 = width, height, -1, -1
    for y in range(height):
        row = flags[y * width:(y + 1) * width]
        left = width - len(row.lstrip(b"\x00"))
        if left < width:
            x0, x1 = min(x0, left), max(x1, len(row.rstrip(b"\x00")) - 1)
            y0 = min(y0, y)
            y1 = y
    return None if x1 < 0 else Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1)


def crop_plane(values: bytes, width: int, rect: Rect) -> bytes:
    """The part of a one-byte-per-pixel plane (rows of `width`) under `rect`."""
    return b"".join(values[y * width + rect.x:y * width + rect.right] for y in range(rect.y, rect.bottom))


def with_alpha(image: RgbaImage, alpha: bytes) -> RgbaImage:
    """`image` with its alpha replaced by `alpha` (one byte per pixel): results show only where the selection was."""
    if len(alpha) != image.width * image.height:
        raise ValueError("alpha has %d values for %dx%d pixels" % (len(alpha), image.width, image.height))
    out = bytearray(image.data)
    out[3::4] = alpha
    return RgbaImage(image.width, image.height, bytes(out))


def crop(image: RgbaImage, rect: Rect) -> RgbaImage:
    rows = []
    for y in range(rect.y, rect.bottom):
        start = 4 * (y * image.width + rect.x)
        rows.append(image.data[start:start + 4 * rect.width])
    return RgbaImage(rect.width, rect.height, b"".join(rows))


# -- PNG ---------------------------------------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, data: bytes, channels: int = 4) -> bytes:
    """8-bit PNG of raw pixels: channels 4 = RGBA, 3 = RGB, 1 = grey."""
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    stride = width * channels
    if len(data) != stride * height:
        raise ValueError("expected %d bytes for %dx%d with %d channels, got %d" % (stride * height, width, height, channels, len(data)))
    raw = b"".join(b"\x00" + data[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def decode_png(png: bytes) -> tuple:
    """(RgbaImage, text chunks dict) of an 8-bit, non-interlaced PNG (grey, RGB, grey+alpha or RGBA)."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    pos = len(PNG_SIGNATURE)
    idat = []
    texts = {}
    width = height = color_type = None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", data)
            if depth != 8 or interlace != 0 or color_type not in (0, 2, 4, 6):
                raise ValueError("only 8-bit non-interlaced grey/RGB/RGBA PNGs are supported")
        elif kind == b"IDAT":
            idat.append(data)
        elif kind == b"tEXt":
            key, _, value = data.partition(b"\x00")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = data.partition(b"\x00")
            compressed, _method = rest[0], rest[1]
            _lang, _, rest = rest[2:].partition(b"\x00")
            _translated, _, text = rest.partition(b"\x00")
            texts[key.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode("utf-8")
        elif kind == b"IEND":
            break
    if width is None:
        raise ValueError("PNG without IHDR")
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    raw = _unfilter(zlib.decompress(b"".join(idat)), width, height, channels)
    return RgbaImage(width, height, _to_rgba(raw, channels)), texts


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> bytes:
    stride = width * bpp
    out = bytearray()
    prev = bytearray(stride)
    pos = 0
    for _ in range(height):
        ftype = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise ValueError("bad PNG filter type %d" % ftype)
        out += line
        prev = line
    return bytes(out)


def _to_rgba(raw: bytes, channels: int) -> bytes:
    if channels == 4:
        return raw
    n = len(raw) // channels
    out = bytearray(4 * n)
    if channels == 3:
        out[0::4], out[1::4], out[2::4] = raw[0::3], raw[1::3], raw[2::3]
        out[3::4] = b"\xff" * n
    elif channels == 1:
        out[0::4] = out[1::4] = out[2::4] = raw
        out[3::4] = b"\xff" * n
    else:  # grey + alpha
        out[0::4] = out[1::4] = out[2::4] = raw[0::2]
        out[3::4] = raw[1::2]
    return bytes(out)


def png_base64(width: int, height: int, data: bytes, channels: int = 4) -> str:
    return base64.b64encode(encode_png(width, height, data, channels)).decode("ascii")


def decode_png_base64(text: str) -> tuple:
    if text.startswith("data:"):
        text = text.split(",", 1)[1]
    return decode_png(base64.b64decode(text))
