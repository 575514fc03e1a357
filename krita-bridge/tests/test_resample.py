import unittest

from tests import context  # noqa: F401

from diffusej_krita import resample  # noqa: E402
from diffusej_krita.imaging import RgbaImage  # noqa: E402


def plane(width, height, f):
    return bytes(f(x, y) for y in range(height) for x in range(width))


class ResampleTest(unittest.TestCase):
    def test_constant_stays_constant_both_ways(self):
        flat = bytes([137]) * (40 * 30)
        self.assertEqual(set(resample.resize_plane(flat, 40, 30, 123, 77)), {137})
        self.assertEqual(set(resample.resize_plane(flat, 40, 30, 9, 5)), {137})

    def test_upscaling_keeps_a_linear_ramp_away_from_the_edges(self):
        # Keys' cubic reproduces linear functions exactly; tolerance 1 level for rounding.
        ramp = plane(32, 4, lambda x, y: 4 * x + 2)
        big = resample.resize_plane(ramp, 32, 4, 128, 4)
        for x in range(8, 120):
            expected = 4 * ((x + 0.5) / 4 - 0.5) + 2
            self.assertLessEqual(abs(big[x] - expected), 1.0, "x=%d" % x)

    def test_shrinking_averages_instead_of_aliasing(self):
        # A one-pixel checkerboard shrunk 8x must come out mid-grey (point sampling would give 0 or 255).
        board = plane(64, 64, lambda x, y: 255 * ((x + y) % 2))
        small = resample.resize_plane(board, 64, 64, 8, 8)
        self.assertTrue(all(abs(v - 127.5) <= 3 for v in small), list(small))

    def test_rgba_channels_are_resampled_independently(self):
        image = RgbaImage(4, 4, bytes([10, 20, 30, 40]) * 16)
        out = resample.resize(image, 12, 6)
        self.assertEqual((12, 6), (out.width, out.height))
        self.assertEqual((10, 20, 30, 40), out.pixel(5, 3))

    def test_bad_sizes_are_refused(self):
        with self.assertRaises(ValueError):
            resample.resize_plane(b"\x00" * 5, 2, 2, 4, 4)
        with self.assertRaises(ValueError):
            resample.resize_plane(b"\x00" * 4, 2, 2, 0, 4)

    def test_grow_dilates_by_the_radius(self):
        dot = plane(11, 11, lambda x, y: 255 if (x, y) == (5, 5) else 0)
        grown = resample.grow(dot, 11, 11, 2)
        covered = {(x, y) for y in range(11) for x in range(11) if grown[y * 11 + x] == 255}
        self.assertEqual({(x, y) for x in range(3, 8) for y in range(3, 8)}, covered)

    def test_feather_ramps_the_edge_and_keeps_the_inside_solid(self):
        # A half-plane edge at x = 20: box radius 2 applied twice ramps over 4 px each side.
        edge = plane(40, 10, lambda x, y: 255 if x >= 20 else 0)
        soft = resample.feather(edge, 40, 10, 2)
        row = soft[5 * 40:6 * 40]
        self.assertEqual(0, row[15])
        self.assertEqual(255, row[24])
        ramp = row[15:25]
        self.assertEqual(list(ramp), sorted(ramp), "monotonic")
        self.assertTrue(100 < row[19] < 155 or 100 < row[20] < 155, list(ramp))
        self.assertGreater(len({v for v in ramp if 0 < v < 255}), 4, "a ramp, not a step")
