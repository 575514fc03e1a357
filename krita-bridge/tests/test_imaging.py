import base64
import struct
import unittest
import zlib

from tests import context  # noqa: F401
from diffusej_krita import imaging
from diffusej_krita.imaging import Rect, RgbaImage


def filtered_png(width, height, rgb_rows, filters):
    """An RGB PNG whose rows use the given filter types (encoded here by the textbook definitions)."""
    raw = b""
    prev = bytes(3 * width)
    for row, f in zip(rgb_rows, filters):
        enc = bytearray()
        for i, v in enumerate(row):
            a = row[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 0: pred = 0
            elif f == 1: pred = a
            elif f == 2: pred = b
            elif f == 3: pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            enc.append((v - pred) & 0xFF)
        raw += bytes([f]) + bytes(enc)
        prev = row

    def chunk(k, d):
        return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xFFFFFFFF)
    text = b"parameters\x00a cat\nSteps: 3"
    return (imaging.PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", text) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class ImagingTest(unittest.TestCase):
    def test_png_round_trip_rgba_and_grey(self):
        data = bytes(range(4 * 6 * 5 % 256)) * 0 + bytes((i * 7) % 256 for i in range(4 * 6 * 5))
        image, texts = imaging.decode_png(imaging.encode_png(6, 5, data, 4))
        self.assertEqual((6, 5), (image.width, image.height))
        self.assertEqual(data, image.data)
        self.assertEqual({}, texts)
        grey = bytes([0, 255, 128, 7])
        g, _ = imaging.decode_png(imaging.encode_png(2, 2, grey, 1))
        self.assertEqual((128, 128, 128, 255), g.pixel(0, 1))

    def test_decodes_every_filter_type_and_text_chunk(self):
        width = 5
        rows = [bytes((x * 40 + y * 13 + c * 70) % 256 for x in range(width) for c in range(3)) for y in range(5)]
        png = filtered_png(width, 5, rows, [0, 1, 2, 3, 4])
        image, texts = imaging.decode_png(png)
        self.assertEqual("a cat\nSteps: 3", texts["parameters"])
        for y in range(5):
            for x in range(width):
                self.assertEqual(tuple(rows[y][3 * x:3 * x + 3]) + (255,), image.pixel(x, y), (x, y))

    def test_bgra_swap(self):
        self.assertEqual(bytes([3, 2, 1, 4, 7, 6, 5, 8]), imaging.bgra_to_rgba(bytes([1, 2, 3, 4, 5, 6, 7, 8])))
        self.assertEqual(bytes([1, 2, 3, 4]), imaging.rgba_to_bgra(imaging.bgra_to_rgba(bytes([1, 2, 3, 4]))))

    def test_selection_bounds_and_mask(self):
        values = bytearray(10 * 6)
        for y in range(2, 4):
            for x in range(3, 7):
                values[y * 10 + x] = 200
        self.assertEqual(Rect(3, 2, 4, 2), imaging.selection_bounds(bytes(values), 10, 6))
        self.assertIsNone(imaging.selection_bounds(bytes(60), 10, 6))
        self.assertEqual(bytes([0, 255, 255]), imaging.mask_from_selection(bytes([0, 1, 255])))

    def test_padded_region_is_multiple_of_8_inside_canvas(self):
        r = imaging.padded_region(Rect(50, 40, 10, 10), 16, 200, 100)
        self.assertEqual(0, r.width % 8)
        self.assertEqual(0, r.height % 8)
        self.assertTrue(r.x <= 34 and r.y <= 24 and r.right >= 76 and r.bottom >= 66, r)
        self.assertTrue(r.x >= 0 and r.y >= 0 and r.right <= 200 and r.bottom <= 100, r)
        edge = imaging.padded_region(Rect(190, 90, 10, 10), 16, 200, 100)
        self.assertEqual((200, 100), (edge.right, edge.bottom))
        self.assertEqual(0, edge.width % 8)
        whole = imaging.padded_region(Rect(0, 0, 101, 75), 0, 101, 75)
        self.assertEqual(Rect(0, 0, 101, 75), whole, "a canvas not a multiple of 8 is covered to its edge")
        self.assertEqual(Rect(114, 0, 16, 16), imaging.padded_region(Rect(120, 0, 10, 8), 4, 130, 130))
        self.assertEqual(Rect(0, 0, 13, 8), imaging.padded_region(Rect(2, 0, 9, 4), 0, 13, 20),
                         "no multiple of 8 fits the 13 px side: the whole side")
        self.assertEqual(Rect(9, 0, 8, 8), imaging.padded_region(Rect(9, 0, 5, 5), 0, 130, 130))

    def test_clip_and_padding_to_the_processing_size(self):
        self.assertEqual(Rect(0, 5, 3, 5), imaging.clip(Rect(-4, 5, 7, 9), 10, 10))
        self.assertTrue(imaging.clip(Rect(12, 0, 4, 4), 10, 10).is_empty())
        self.assertEqual((8, 16, 136), (imaging.round_up(1), imaging.round_up(16), imaging.round_up(130)))
        img = RgbaImage(2, 2, bytes([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]))
        padded = imaging.pad_edges(img, 4, 3)
        self.assertEqual((4, 3), (padded.width, padded.height))
        self.assertEqual([(1,) * 4, (2,) * 4, (2,) * 4, (2,) * 4], [padded.pixel(x, 0) for x in range(4)])
        self.assertEqual([(3,) * 4, (4,) * 4, (4,) * 4, (4,) * 4], [padded.pixel(x, 2) for x in range(4)])
        self.assertEqual(bytes([9, 8, 0, 7, 6, 0, 0, 0, 0]), imaging.pad_plane(bytes([9, 8, 7, 6]), 2, 2, 3, 3))

    def test_with_alpha_and_crop(self):
        img = RgbaImage(2, 2, bytes([1, 2, 3, 255] * 4))
        out = imaging.with_alpha(img, bytes([0, 10, 20, 30]))
        self.assertEqual((1, 2, 3, 20), out.pixel(0, 1))
        self.assertRaises(ValueError, imaging.with_alpha, img, bytes(3))
        self.assertEqual(1, imaging.crop(out, Rect(1, 1, 1, 1)).width)

    def test_base64_data_url(self):
        b64 = imaging.png_base64(1, 1, bytes([9, 8, 7, 6]))
        image, _ = imaging.decode_png_base64("data:image/png;base64," + b64)
        self.assertEqual((9, 8, 7, 6), image.pixel(0, 0))
        self.assertRaises(ValueError, imaging.decode_png, base64.b64decode(b64)[1:])


if __name__ == "__main__":
    unittest.main()
