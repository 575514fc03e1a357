"""Refine of regions above the model's comfortable size: overlapping native-size tiles, cross-faded seams."""
import unittest

from tests import context  # noqa: F401
from tests import fake_krita

fake_krita.install()

from diffusej_krita import generation, tiles  # noqa: E402
from diffusej_krita.client import ClientMessage  # noqa: E402
from diffusej_krita.document import KritaDocument  # noqa: E402
from diffusej_krita.generation import Settings  # noqa: E402
from diffusej_krita.imaging import Rect, RgbaImage  # noqa: E402
from diffusej_krita.session import JobSession  # noqa: E402
from tests.test_generation import FakeClient  # noqa: E402

WIDTH, HEIGHT, NATIVE = 1203, 517, 256  # an odd canvas, far above 2 × 256²


class TileColours(FakeClient):
    """Each tile comes back in its own flat colour (red = 40 × its number); tile `interrupt_at` is interrupted."""

    def __init__(self, interrupt_at=None):
        super().__init__()
        self.interrupt_at = interrupt_at

    def listen(self, job_id, stopped=lambda: False):
        self.colour = (40 * len(self.payloads) % 256, 100, 7)
        if self.interrupt_at == len(self.payloads):
            yield ClientMessage("progress", job_id, 0.5, 1, 2)
            yield ClientMessage("interrupted", job_id, 0.5, 1, 2)
            return
        yield from super().listen(job_id, stopped)


def refine(doc, **kw):
    settings = Settings(prompt="p", seed=kw.pop("seed", 9), steps=2, strength=0.5, native_size=NATIVE, **kw)
    return generation.prepare(KritaDocument(doc), settings, "refine")


class PlanTest(unittest.TestCase):
    def test_tiles_cover_the_side_and_overlap_enough(self):
        for length in (257, 517, 1203, 4099):
            spans = tiles.axis(length, 256, 64)
            self.assertEqual(0, spans[0][0])
            self.assertEqual(length, spans[-1][0] + spans[-1][1], "the last tile ends at the edge")
            for (a, wa), (b, _wb) in zip(spans, spans[1:]):
                self.assertGreaterEqual(a + wa - b, 64, "overlap at %d of %d" % (b, length))
                self.assertLess(a, b)
            self.assertTrue(all(w == 256 for _, w in spans))
        self.assertEqual([(0, 100)], tiles.axis(100, 256, 64), "a short side is one tile")
        with self.assertRaisesRegex(ValueError, "at most half"):
            tiles.plan(600, 600, 256, 200)

    def test_when_to_tile(self):
        self.assertTrue(tiles.needs_tiles(WIDTH, HEIGHT, NATIVE))
        self.assertFalse(tiles.needs_tiles(300, 300, NATIVE), "1.4 × native²: scaled, not tiled")
        self.assertFalse(tiles.needs_tiles(5000, 5000, 0), "no native size: no tiles")

    def test_mix_is_the_rounded_weighted_mean_of_each_byte(self):
        a, b = bytes(range(256)), bytes(reversed(range(256)))
        for weight in (0, 1, 100, 255, 256):
            self.assertEqual(bytes((x * (256 - weight) + y * weight + 128) >> 8 for x, y in zip(a, b)),
                             tiles.mix(a, b, weight))

    def test_compose_cross_fades_the_overlap_and_copies_the_rest(self):
        rows = tiles.plan(40, 10, 24, 8)  # two tiles: 0..24 and 16..40, overlap 16..24
        self.assertEqual([[Rect(0, 0, 24, 10), Rect(16, 0, 24, 10)]], rows)
        images = [[RgbaImage(24, 10, bytes([0, 50, 9, 255]) * 240), RgbaImage(24, 10, bytes([240, 50, 9, 255]) * 240)]]
        out = tiles.compose(40, 10, rows, images)
        reds = [out.pixel(x, 5)[0] for x in range(40)]
        self.assertEqual([0] * 16, reds[:16])
        self.assertEqual([240] * 16, reds[24:])
        seam = reds[16:24]
        self.assertEqual(seam, sorted(seam))
        self.assertTrue(all(0 < r < 240 for r in seam), seam)
        self.assertTrue(all(out.pixel(x, y)[1:] == (50, 9, 255) for x in range(40) for y in range(10)))


class TiledRefineTest(unittest.TestCase):
    def test_an_odd_large_canvas_is_refined_in_native_tiles_and_lands_whole(self):
        doc = fake_krita.Document(WIDTH, HEIGHT)
        doc.background.data[:] = bytes([1, 2, 3, 255]) * (WIDTH * HEIGHT)
        job = refine(doc)
        flat = [entry for row in job.tiles for entry in row]
        self.assertEqual(6 * 3, len(flat))
        self.assertTrue(all((p["width"], p["height"]) == (NATIVE, NATIVE) for _, p in flat), "the native size")
        self.assertEqual({9}, {p["seed"] for _, p in flat}, "one seed for all tiles")
        client = TileColours()
        parts = []
        final = generation.run(client, job, lambda m: parts.append((m.part, round(m.progress, 3))))
        self.assertEqual(18, len(client.payloads))
        self.assertIn(("Tile 18 of 18", 1.0), parts)
        progress = [p for _, p in parts]
        self.assertEqual(progress, sorted(progress), "progress of the whole job only rises")
        self.assertEqual("finished", final.event)
        generation.place_results(KritaDocument(doc), job, final)
        layer = doc.root.childNodes()[-1]
        for x, y in ((0, 0), (WIDTH - 1, HEIGHT - 1), (WIDTH - 1, 0), (0, HEIGHT - 1), (600, 250)):
            self.assertEqual(255, layer.pixelData(x, y, 1, 1)[3], "opaque at %s" % ((x, y),))
        first, last = flat[0][0], flat[-1][0]
        self.assertEqual(40, layer.pixelData(first.x + 10, first.y + 10, 1, 1)[2], "tile 1's own colour (BGRA)")
        self.assertEqual(40 * 18 % 256, layer.pixelData(last.right - 10, last.bottom - 10, 1, 1)[2])
        second = flat[1][0]
        seam = [layer.pixelData(x, 10, 1, 1)[2] for x in range(second.x, first.right)]
        self.assertEqual(seam, sorted(seam), "a ramp from tile 1 to tile 2")
        self.assertTrue(all(40 <= v <= 80 for v in seam) and len(set(seam)) > 10, seam)

    def test_a_large_selection_lands_feathered_through_it_as_the_docker_places_it(self):
        doc = fake_krita.Document(WIDTH, HEIGHT)
        doc.setSelection(fake_krita.Selection(WIDTH, HEIGHT, [(300, 100, 700, 300, 255)]))
        job = refine(doc)
        self.assertTrue(job.tiles)
        self.assertIsNone(job.blend, "the full-resolution blend mask is not made on the UI thread")
        session = JobSession(job, KritaDocument(doc))
        statuses = []

        def follow(message):  # what the docker does with the worker's events
            session.on_message(message)
            statuses.append(session.status)
        final = generation.run(TileColours(), job, follow)
        self.assertEqual("finished", final.event)
        self.assertTrue(statuses[-1].startswith("Done: added 1 layer(s)"), statuses[-1])
        self.assertTrue(any(s.startswith("Tile 2 of 18: Step 1 of 3") for s in statuses), statuses[:8])
        layer = doc.root.childNodes()[-1]
        self.assertEqual(255, layer.pixelData(650, 250, 1, 1)[3])
        self.assertEqual(0, layer.pixelData(job.region.x, job.region.y, 1, 1)[3])
        ramp = [layer.pixelData(x, 250, 1, 1)[3] for x in range(job.region.x, 300)]
        self.assertTrue(any(0 < a < 255 for a in ramp), "feathered")

    def test_scaling_down_instead_when_tiles_are_off(self):
        job = refine(fake_krita.Document(WIDTH, HEIGHT), tiled=False)
        self.assertEqual([], job.tiles)
        self.assertLessEqual(job.payload["width"] * job.payload["height"], 1.05 * NATIVE ** 2)

    def test_stopping_between_tiles_cancels_the_running_one_by_id(self):
        job = refine(fake_krita.Document(WIDTH, HEIGHT))
        client = TileColours()
        seen = []
        final = generation.run(client, job, seen.append, stopped=lambda: len(client.payloads) == 2 and len(seen) > 4)
        self.assertIsNone(final)
        self.assertEqual(["job-2"], client.cancelled)

    def test_an_interrupted_tile_ends_the_job_without_a_layer(self):
        doc = fake_krita.Document(WIDTH, HEIGHT)
        job = refine(doc)
        final = generation.run(TileColours(interrupt_at=3), job, lambda m: None)
        self.assertEqual(("interrupted", [], "Tile 3 of 18"), (final.event, final.images, final.part))
        self.assertEqual([], generation.place_results(KritaDocument(doc), job, final))


if __name__ == "__main__":
    unittest.main()
