"""Refining a region larger than the model's comfortable size in overlapping tiles at the model's native size, without
Qt or numpy: the tile plan, and the composition of the tiles' results with linear cross-fades over the overlaps.

Cross-fades run on whole columns (seams between neighbours in a row) and whole rows (seams between rows of tiles)
packed into Python integers with 16-bit lanes, one multiply-add per column or row instead of a loop over pixels."""
from __future__ import annotations

from dataclasses import replace

from . import imaging
from .client import ClientMessage
from .errors import DocumentError
from .imaging import Rect, RgbaImage, round_up

TILE_AREA = 2.0  # regions above TILE_AREA × native² are tiled (they would be scaled down more than √2 per side)


def needs_tiles(width: int, height: int, native: int) -> bool:
    return native > 0 and width * height > TILE_AREA * native * native


def axis(length: int, tile: int, overlap: int) -> list:
    """(start, size) of the tiles along one side: `tile` long (the whole side where it is shorter), evenly spaced so
    that neighbours overlap by at least `overlap` and the last one ends at `length`."""
    if length <= tile:
        return [(0, length)]
    count = -(-(length - overlap) // (tile - overlap))
    return [((length - tile) * i // (count - 1), tile) for i in range(count)]


def plan(width: int, height: int, tile: int, overlap: int) -> list:
    """The tiles covering a width×height region, row by row (lists of Rects)."""
    if overlap * 2 > tile:
        raise ValueError("the overlap (%d) must be at most half the tile (%d)" % (overlap, tile))
    columns = axis(width, tile, overlap)
    return [[Rect(x, y, w, h) for x, w in columns] for y, h in axis(height, tile, overlap)]


def sent_size(rect: Rect) -> tuple:
    """The size a tile is generated at: its own, each side rounded up to a multiple of 8 (edges repeated)."""
    return round_up(rect.width), round_up(rect.height)


_LANES = {}


def _constants(n: int) -> tuple:
    """(rounding term, low-byte mask) for n 16-bit lanes."""
    if n not in _LANES:
        _LANES[n] = (int.from_bytes(b"\x00\x80" * n, "big"), int.from_bytes(b"\x00\xff" * n, "big"))
    return _LANES[n]


def _wide(values: bytes) -> int:
    wide = bytearray(2 * len(values))
    wide[1::2] = values
    return int.from_bytes(wide, "big")


def mix(a: bytes, b: bytes, weight: int) -> bytes:
    """Per byte round((a·(256 − weight) + b·weight) / 256), weight 0..256 (no lane exceeds 16 bits)."""
    if len(a) != len(b):
        raise ValueError("mixing %d bytes with %d" % (len(a), len(b)))
    n = len(a)
    half, low = _constants(n)
    total = (_wide(a) * (256 - weight) + _wide(b) * weight + half) >> 8
    return (total & low).to_bytes(2 * n, "big")[1::2]


def _ramp(k: int, overlap: int) -> int:
    """The next tile's weight (0..256) at position k of an overlap `overlap` wide."""
    return (256 * (2 * k + 1) + overlap) // (2 * overlap)


def compose(width: int, height: int, rows: list, images: list) -> RgbaImage:
    """The region's image from its tiles' results (`images` row by row like `rows`, each the size of its Rect):
    each tile blends into its left and upper neighbours linearly across their overlap."""
    stride = 4 * width
    out = bytearray(stride * height)
    covered = 0  # rows of `out` already written
    for row, row_images in zip(rows, images):
        top, h = row[0].y, row[0].height
        strip = _strip(width, h, row, row_images)
        overlap = max(0, covered - top)
        for k in range(overlap):
            start = (top + k) * stride
            out[start:start + stride] = mix(out[start:start + stride], strip[k * stride:(k + 1) * stride],
                                            _ramp(k, overlap))
        out[(top + overlap) * stride:(top + h) * stride] = strip[overlap * stride:]
        covered = top + h
    return RgbaImage(width, height, bytes(out))


def _strip(width: int, height: int, row: list, images: list) -> bytearray:
    """One row of tiles blended into a width×height strip."""
    stride = 4 * width
    strip = bytearray(stride * height)
    covered = 0  # columns already written
    for rect, image in zip(row, images):
        if (image.width, image.height) != (rect.width, rect.height):
            raise ValueError("tile %s got a %dx%d image" % (rect, image.width, image.height))
        tile_stride = 4 * rect.width
        overlap = max(0, covered - rect.x)
        for k in range(overlap):
            weight = _ramp(k, overlap)
            for c in range(4):
                target = slice(4 * (rect.x + k) + c, None, stride)
                strip[target] = mix(strip[target], image.data[4 * k + c::tile_stride], weight)
        for y in range(height):
            source = image.data[y * tile_stride + 4 * overlap:(y + 1) * tile_stride]
            start = y * stride + 4 * (rect.x + overlap)
            strip[start:start + len(source)] = source
        covered = rect.right
    return strip


def run(client, planned: list, region: Rect, on_message, on_job_id, stopped) -> ClientMessage | None:
    """Sends the tiles (rows of (Rect, payload)) one after another, forwarding their events with the progress of the
    whole and the tile's number; returns one final event with the composed images (None when stopped: the running
    tile is cancelled by its id). An interrupted or failed tile ends the job with that event and no images."""
    flat = [entry for row in planned for entry in row]
    results = []
    final = None
    for i, (rect, payload) in enumerate(flat):
        part = "Tile %d of %d" % (i + 1, len(flat))
        if stopped():
            return None
        job_id = client.enqueue(payload)
        on_job_id(job_id)
        final = None
        for message in client.listen(job_id, stopped=stopped):
            final = message
            if not message.is_final:
                on_message(replace(message, progress=(i + message.progress) / len(flat), part=part))
        if final is None or not final.is_final:
            client.cancel(job_id)
            return None
        if final.event != "finished":
            return replace(final, images=[], seeds=[], infotexts=[], part=part)
        results.append([_cropped(b64, rect, payload) for b64 in final.images])
    composed = []
    for k in range(len(results[0])):
        it = iter(results)
        images = [[next(it)[k] for _ in row] for row in planned]
        image = compose(region.width, region.height, [[rect for rect, _ in row] for row in planned], images)
        composed.append(imaging.png_base64(image.width, image.height, image.data))
    return replace(final, progress=1.0, images=composed, seeds=final.seeds[:len(composed)])


def _cropped(b64: str, rect: Rect, payload: dict) -> RgbaImage:
    image, _texts = imaging.decode_png_base64(b64)
    if (image.width, image.height) != (payload["width"], payload["height"]):
        raise DocumentError("The server returned a %dx%d image for a %dx%d tile."
                            % (image.width, image.height, payload["width"], payload["height"]))
    return imaging.crop(image, Rect(0, 0, rect.width, rect.height))
