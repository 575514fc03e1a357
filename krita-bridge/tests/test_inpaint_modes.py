"""Inpaint modes (fill, expand, add, remove, replace background) mapped onto the bridge's inpaint fields, and how their
results land."""
import unittest

from tests import context  # noqa: F401
from tests import fake_krita

fake_krita.install()

from diffusej_krita import generation, imaging, inpaint_modes  # noqa: E402
from diffusej_krita.document import KritaDocument  # noqa: E402
from diffusej_krita.generation import DocumentError, Settings  # noqa: E402
from tests.test_generation import FakeClient, document_with_selection  # noqa: E402


def prepare(doc, key, **kw):
    settings = Settings(prompt=kw.pop("prompt", "a red car"), negative_prompt=kw.pop("negative", "blurry"), seed=3,
                        steps=4, strength=0.4, native_size=kw.pop("native", 64), inpaint_mode=key, **kw)
    return generation.prepare(KritaDocument(doc), settings, "inpaint")


def half_transparent(w=80, h=40, opaque_width=48):
    """Opaque grey on the left `opaque_width` columns, fully transparent to the right (an enlarged canvas)."""
    doc = fake_krita.Document(w, h)
    row = bytes([50, 60, 70, 255]) * opaque_width + bytes(4 * (w - opaque_width))
    doc.background.data[:] = row * h
    return doc


class InpaintModeMappingTest(unittest.TestCase):
    def test_every_mode_maps_to_its_fields(self):
        expected = {  # key: (inpainting_fill, denoising_strength, inpainting_mask_invert)
            "repaint": (1, 0.4, 0), "fill": (0, 1.0, 0), "expand": (0, 1.0, 0), "add": (2, 1.0, 0),
            "remove": (0, 1.0, 0), "replace_background": (2, 1.0, 1),
        }
        self.assertEqual(set(expected), {m.key for m in inpaint_modes.MODES})
        for key, (fill, strength, invert) in expected.items():
            p = prepare(document_with_selection(), key).payload
            self.assertEqual("inpaint", p["mode"], key)
            self.assertEqual((fill, strength, invert, False),
                             (p["inpainting_fill"], p["denoising_strength"], p["inpainting_mask_invert"],
                              p["inpaint_full_res"]), key)
        self.assertEqual("repaint", Settings().inpaint_mode, "the default keeps the original at Strength")

    def test_unknown_mode_is_refused_with_the_choices(self):
        with self.assertRaisesRegex(ValueError, "paint over.*repaint, fill"):
            prepare(document_with_selection(), "paint over")

    def test_remove_moves_the_words_to_the_negative_prompt_and_keeps_lora_tags(self):
        p = prepare(document_with_selection(), "remove", prompt="a red <lora:toy:0.8> car").payload
        self.assertEqual(("<lora:toy:0.8>", "a red car, blurry"), (p["prompt"], p["negative_prompt"]))
        p = prepare(document_with_selection(), "remove", prompt="", negative="").payload
        self.assertEqual(("", ""), (p["prompt"], p["negative_prompt"]))
        p = prepare(document_with_selection(), "add", prompt="a red car").payload
        self.assertEqual(("a red car", "blurry"), (p["prompt"], p["negative_prompt"]), "other modes keep the prompt")


class ReplaceBackgroundTest(unittest.TestCase):
    def test_the_subject_is_sent_for_inversion_and_the_background_lands(self):
        doc = document_with_selection(64, 48, (24, 16, 16, 16))  # the subject
        kdoc = KritaDocument(doc)
        job = prepare(doc, "replace_background")
        self.assertEqual((0, 0, 64, 48), (job.region.x, job.region.y, job.region.width, job.region.height))
        sent, _ = imaging.decode_png_base64(job.payload["mask"])
        sx, sy = job.payload["width"] / 64, job.payload["height"] / 48
        self.assertEqual(255, sent.pixel(int(32 * sx), int(24 * sy))[0], "the subject's middle is sent set...")
        self.assertEqual(0, sent.pixel(1, 1)[0], "...the background clear (the server inverts)")
        final = generation.run(FakeClient(colour=(200, 10, 10)), job, lambda m: None)
        generation.place_results(kdoc, job, final)
        layer = doc.root.childNodes()[-1]
        self.assertEqual(0, layer.pixelData(32, 24, 1, 1)[3], "the subject stays visible")
        for x, y in ((0, 0), (63, 47), (0, 24), (32, 0)):
            self.assertEqual(bytes([10, 10, 200, 255]), layer.pixelData(x, y, 1, 1), "new background at %s" % ((x, y),))

    def test_needs_a_subject_that_leaves_some_background(self):
        doc = fake_krita.Document(32, 32)
        with self.assertRaisesRegex(DocumentError, "subject selected"):
            prepare(doc, "replace_background")
        doc.setSelection(fake_krita.Selection(32, 32, [(0, 0, 32, 32, 255)]))
        with self.assertRaisesRegex(DocumentError, "no background"):
            prepare(doc, "replace_background")


class ExpandTest(unittest.TestCase):
    def test_without_a_selection_the_transparent_canvas_is_filled_up_to_the_border(self):
        doc = half_transparent()
        kdoc = KritaDocument(doc)
        job = prepare(doc, "expand")
        self.assertEqual(80, job.region.right)
        self.assertLessEqual(job.region.x, 48 - 8, "context from the opaque side")
        sent, _ = imaging.decode_png_base64(job.payload["mask"])
        fx = job.payload["width"] / job.region.width
        self.assertEqual(255, sent.pixel(int((70 - job.region.x) * fx), 5)[0])
        self.assertEqual(0, sent.pixel(0, 5)[0], "the opaque context is kept")
        final = generation.run(FakeClient(colour=(200, 10, 10)), job, lambda m: None)
        generation.place_results(kdoc, job, final)
        layer = doc.root.childNodes()[-1]
        for x, y in ((79, 0), (79, 39), (60, 20), (48, 0)):
            self.assertEqual(255, layer.pixelData(x, y, 1, 1)[3], "opaque at %s, the canvas border too" % ((x, y),))
        self.assertEqual(0, layer.pixelData(job.region.x, 20, 1, 1)[3])

    def test_with_a_selection_transparent_pixels_inside_the_region_join_it(self):
        doc = half_transparent()
        doc.setSelection(fake_krita.Selection(80, 40, [(30, 10, 10, 10, 255)]))
        job = prepare(doc, "expand", native=0)
        sent, _ = imaging.decode_png_base64(job.payload["mask"])
        rx, ry = job.region.x, job.region.y
        self.assertEqual(255, sent.pixel(35 - rx, 15 - ry)[0], "the selection")
        self.assertEqual(255, sent.pixel(job.region.right - 1 - rx, 15 - ry)[0], "transparent canvas")
        self.assertEqual(0, sent.pixel(0, 15 - ry)[0] if rx < 30 else 0, "opaque, unselected")

    def test_an_opaque_image_without_selection_is_refused_with_what_to_do(self):
        doc = document_with_selection()
        doc.setSelection(None)
        with self.assertRaisesRegex(DocumentError, "Resize Canvas"):
            prepare(doc, "expand")


class CanvasBorderTest(unittest.TestCase):
    def test_a_selection_at_the_border_lands_opaque_to_the_border(self):
        doc = document_with_selection(64, 48, (0, 0, 20, 48))
        kdoc = KritaDocument(doc)
        job = prepare(doc, "fill")
        final = generation.run(FakeClient(), job, lambda m: None)
        generation.place_results(kdoc, job, final)
        layer = doc.root.childNodes()[-1]
        for x, y in ((0, 0), (0, 47), (10, 0), (19, 47)):
            self.assertEqual(255, layer.pixelData(x, y, 1, 1)[3], "no fade at the canvas border %s" % ((x, y),))


if __name__ == "__main__":
    unittest.main()
