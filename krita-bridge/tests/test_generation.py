import unittest

from tests import context  # noqa: F401
from tests import fake_krita

fake_krita.install()

from diffusej_krita import imaging, generation  # noqa: E402
from diffusej_krita.client import ClientMessage  # noqa: E402
from diffusej_krita.document import Document, KritaDocument  # noqa: E402
from diffusej_krita.generation import DocumentError, Settings  # noqa: E402


class FakeClient:
    """Answers every job with one solid image per batch item, after a few progress events."""

    def __init__(self, colour=(10, 200, 30)):
        self.colour = colour
        self.payloads = []
        self.cancelled = []

    def cancel(self, job_id):
        self.cancelled.append(job_id)

    def enqueue(self, payload):
        self.payloads.append(payload)
        return "job-%d" % len(self.payloads)

    def listen(self, job_id, stopped=lambda: False):
        p = self.payloads[-1]
        w, h = p["width"], p["height"]
        yield ClientMessage("queued", job_id)
        for s in range(1, 4):
            if stopped():
                return
            yield ClientMessage("progress", job_id, s / 3, s, 3)
        rgb = bytes(self.colour) * (w * h)
        images = [imaging.png_base64(w, h, rgb, 3) for _ in range(p["batch_size"])]
        seeds = [p["seed"] + k for k in range(p["batch_size"])]
        yield ClientMessage("finished", job_id, 1.0, 3, 3, images=images, seeds=seeds)


def document_with_selection(w=64, h=48, rect=(20, 10, 12, 8)):
    doc = fake_krita.Document(w, h)
    # background: opaque grey, BGRA
    doc.background.data[:] = bytes([50, 60, 70, 255]) * (w * h)
    doc.setSelection(fake_krita.Selection(w, h, [rect + (255,)]))
    return doc


class GenerationTest(unittest.TestCase):
    def test_inpaint_sends_region_mask_and_places_masked_layer_above_active(self):
        doc = document_with_selection()
        kdoc = KritaDocument(doc)
        settings = Settings(prompt="a red door", seed=7, steps=3, strength=0.9, padding=4, batch_size=2)
        job = generation.prepare(kdoc, settings, "inpaint")
        region = job.region
        self.assertEqual((0, 0), (region.width % 8, region.height % 8))
        self.assertTrue(region.x <= 16 and region.right >= 36, region)
        p = job.payload
        self.assertEqual("inpaint", p["mode"])
        self.assertEqual((region.width, region.height), (p["width"], p["height"]))
        self.assertFalse(p["inpaint_full_res"])
        init, _ = imaging.decode_png_base64(p["init_images"][0])
        self.assertEqual((70, 60, 50, 255), init.pixel(0, 0), "BGRA from Krita must be sent as RGB(A)")
        mask, _ = imaging.decode_png_base64(p["mask"])
        self.assertEqual(255, mask.pixel(20 - region.x, 10 - region.y)[0])
        self.assertEqual(0, mask.pixel(0, 0)[0])

        messages = []
        final = generation.run(FakeClient(), job, messages.append)
        self.assertEqual(["queued", "progress", "progress", "progress", "finished"], [m.event for m in messages])
        names = generation.place_results(kdoc, job, final)
        self.assertEqual(["DiffuseJ 7 – a red door", "DiffuseJ 8 – a red door"], names)
        layers = doc.root.childNodes()
        self.assertEqual(["Background", "DiffuseJ 7 – a red door", "DiffuseJ 8 – a red door"], [n.name() for n in layers])
        layer = layers[1]
        inside = layer.pixelData(22, 12, 1, 1)
        self.assertEqual(bytes([30, 200, 10, 255]), inside, "result in BGRA, opaque inside the selection")
        outside_in_region = layer.pixelData(region.x, region.y, 1, 1)
        self.assertEqual(0, outside_in_region[3], "transparent outside the selection")
        self.assertEqual(bytes(4), layer.pixelData(63, 47, 1, 1), "nothing outside the region")
        self.assertEqual(bytes([50, 60, 70, 255]), doc.background.pixelData(22, 12, 1, 1), "original untouched")
        self.assertGreater(doc.refreshed, 0)

    def test_generate_without_selection_uses_whole_canvas(self):
        doc = fake_krita.Document(40, 30)
        job = generation.prepare(KritaDocument(doc), Settings(prompt="x", seed=1), "generate")
        self.assertEqual("txt2img", job.payload["mode"])
        self.assertNotIn("init_images", job.payload)
        self.assertEqual((0, 0, 40, 30), (job.region.x, job.region.y, job.region.width, job.region.height))
        self.assertEqual((40, 32), (job.payload["width"], job.payload["height"]), "sent padded to a multiple of 8")
        self.assertIsNone(job.alpha)
        final = generation.run(FakeClient(), job, lambda m: None)
        generation.place_results(KritaDocument(doc), job, final)
        self.assertEqual(255, doc.root.childNodes()[1].pixelData(0, 0, 1, 1)[3])

    def test_refine_sends_strength_and_init_image(self):
        doc = document_with_selection()
        job = generation.prepare(KritaDocument(doc), Settings(strength=0.3), "refine")
        self.assertEqual("img2img", job.payload["mode"])
        self.assertEqual(0.3, job.payload["denoising_strength"])
        self.assertNotIn("mask", job.payload)

    def test_new_layer_goes_above_active_layer_not_inside_a_mask(self):
        doc = document_with_selection()
        upper = doc.createNode("Upper", "paintlayer")
        doc.root.addChildNode(upper, doc.background)
        mask = doc.createNode("Selection", "selectionmask")
        doc.background.addChildNode(mask, None)
        doc.setActiveNode(mask)
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(seed=3), "generate")
        generation.place_results(kdoc, job, generation.run(FakeClient(), job, lambda m: None))
        self.assertEqual(["Background", "DiffuseJ 3", "Upper"], [n.name() for n in doc.root.childNodes()])

    def test_refusals_have_reasons(self):
        with self.assertRaisesRegex(DocumentError, "selection"):
            generation.prepare(KritaDocument(fake_krita.Document(32, 32)), Settings(), "inpaint")
        with self.assertRaisesRegex(DocumentError, "8-bit RGBA"):
            generation.prepare(KritaDocument(fake_krita.Document(32, 32, "RGBA", "F32")), Settings(), "generate")
        with self.assertRaisesRegex(DocumentError, "Open or create"):
            generation.prepare(Document(), Settings(), "generate")
        fake_krita.Krita.instance().active_document = None
        self.assertIsInstance(Document.active(), Document)

    def test_wrong_sized_result_is_refused(self):
        doc = document_with_selection()
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(), "refine")
        bad = ClientMessage("finished", "j", images=[imaging.png_base64(8, 8, bytes(8 * 8 * 3), 3)], seeds=[1])
        with self.assertRaisesRegex(DocumentError, "8x8"):
            generation.place_results(kdoc, job, bad)


if __name__ == "__main__":
    unittest.main()
