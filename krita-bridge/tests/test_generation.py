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


    def test_canvas_not_a_multiple_of_8_is_painted_to_its_edge(self):
        """130x130 (and an A4-like 2481 px side): the result covers every pixel, no unpainted strip at the edges."""
        doc = fake_krita.Document(130, 130)
        doc.background.data[:] = bytes([50, 60, 70, 255]) * (130 * 130)
        for x in range(130):  # a distinct last column: the padding must repeat it
            doc.background.data[4 * (5 * 130 + x):4 * (5 * 130 + x) + 4] = bytes([x, 1, 2, 255])
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(seed=2), "refine")
        self.assertEqual((0, 0, 130, 130), (job.region.x, job.region.y, job.region.width, job.region.height))
        self.assertEqual((136, 136), (job.payload["width"], job.payload["height"]))
        init, _ = imaging.decode_png_base64(job.payload["init_images"][0])
        self.assertEqual((136, 136), (init.width, init.height))
        self.assertEqual((2, 1, 129, 255), init.pixel(135, 5), "padding repeats the edge pixel")
        generation.place_results(kdoc, job, generation.run(FakeClient(), job, lambda m: None))
        layer = doc.root.childNodes()[1]
        self.assertEqual(bytes([30, 200, 10, 255]) * 130, layer.pixelData(0, 129, 130, 1), "last row painted")
        self.assertEqual(bytes([30, 200, 10, 255]) * 130,
                         b"".join(layer.pixelData(129, y, 1, 1) for y in range(130)), "last column painted")

    def test_inpaint_at_the_edge_of_an_odd_canvas_pads_the_mask_with_keep(self):
        doc = document_with_selection(w=13, h=11, rect=(3, 4, 10, 7))
        job = generation.prepare(KritaDocument(doc), Settings(padding=2), "inpaint")
        self.assertEqual((0, 0, 13, 11), (job.region.x, job.region.y, job.region.right, job.region.bottom))
        mask, _ = imaging.decode_png_base64(job.payload["mask"])
        self.assertEqual((job.payload["width"], job.payload["height"]), (mask.width, mask.height))
        self.assertEqual((0, 0), (mask.width % 8, mask.height % 8))
        self.assertEqual((16, 16), (mask.width, mask.height))
        self.assertEqual(255, mask.pixel(12, 10)[0], "the selected corner pixel of the canvas")
        self.assertEqual(0, mask.pixel(mask.width - 1, mask.height - 1)[0], "padding outside the canvas is kept")

    def test_selection_outside_the_canvas_is_refused_and_partly_outside_is_clipped(self):
        doc = fake_krita.Document(32, 32)
        outside = fake_krita.Selection(64, 64, [(40, 40, 10, 10, 255)])
        doc.setSelection(outside)
        for mode in generation.MODES:
            with self.assertRaisesRegex(DocumentError, "outside the canvas"):
                generation.prepare(KritaDocument(doc), Settings(), mode)
        doc.setSelection(fake_krita.Selection(64, 64, [(28, 0, 10, 8, 255)]))
        job = generation.prepare(KritaDocument(doc), Settings(padding=0), "inpaint")
        self.assertEqual(32, job.region.right)
        self.assertEqual(255, job.alpha[job.region.width - 1], "the selected pixel at the canvas edge")

    def test_closed_document_drops_the_result_with_a_reason(self):
        doc = document_with_selection()
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(seed=3), "inpaint")
        final = generation.run(FakeClient(), job, lambda m: None)
        self.assertTrue(kdoc.is_open())
        doc.close()
        self.assertFalse(kdoc.is_open())
        with self.assertRaisesRegex(generation.DocumentClosed, "closed before the result arrived.*dropped"):
            generation.place_results(kdoc, job, final)
        with self.assertRaises(generation.DocumentClosed):  # closed between the check and the insert
            kdoc.insert_layer("x", imaging.RgbaImage(1, 1, bytes(4)), imaging.Rect(0, 0, 1, 1))

    def test_stopping_cancels_the_job_by_its_own_id(self):
        doc = document_with_selection()
        job = generation.prepare(KritaDocument(doc), Settings(), "generate")
        client = FakeClient()
        client.enqueue({"batch_size": 1, "width": 8, "height": 8, "seed": 1})  # another job before ours
        seen = []
        final = generation.run(client, job, seen.append, stopped=lambda: len(seen) >= 2)
        self.assertIsNone(final)
        self.assertEqual(["queued", "progress"], [m.event for m in seen])
        self.assertEqual(["job-2"], client.cancelled, "only our job is cancelled, by its id")

    def test_lora_picker_inserts_a_tag_once(self):
        self.assertEqual(["Ink", "lcm", "zeta"], generation.lora_choices(["zeta", "lcm", "", None, "Ink", "lcm"]))
        self.assertEqual([], generation.lora_choices(None))
        self.assertEqual("<lora:ink:1.0>", generation.insert_lora("", "ink"))
        self.assertEqual("a cat <lora:ink:1.0>", generation.insert_lora("a cat", "ink"))
        self.assertEqual("a cat\n<lora:ink:1.0>", generation.insert_lora("a cat\n", "ink"), "no space after a newline")
        self.assertEqual("a cat <lora:ink:0.8>", generation.insert_lora("a cat", "ink", 0.8))
        self.assertEqual("a cat <lora:ink:0.5> x", generation.insert_lora("a cat <lora:ink:1.2> x", "ink", 0.5),
                         "a LoRA already in the prompt gets the new strength, in place")
        self.assertEqual("a <lora:ink2:1.0> <lora:ink:0.75>", generation.insert_lora("a <lora:ink2:1.0>", "ink", 0.75))
        self.assertEqual(["1.0", "0.8", "0.75", "-0.5", "2.0"],
                         [generation.format_multiplier(m) for m in (1, 0.8, 0.75, -0.5, 2)])
        self.assertEqual("a <lora:ink:1.0> <lora:ink2:1.0>", generation.insert_lora("a <lora:ink:1.0>", "ink2"))
        self.assertEqual("a cat", generation.insert_lora("a cat", " "), "nothing chosen: nothing inserted")

    def test_sampler_choices_come_from_the_server(self):
        self.assertEqual((["DDIM", "Euler a", "LCM"], 1), generation.sampler_choices(["DDIM", "Euler a", "LCM"], "Euler a"))
        self.assertEqual((["DDIM", "LCM"], 0), generation.sampler_choices(["DDIM", "LCM"], "Euler a"))
        self.assertEqual(([], 0), generation.sampler_choices(None, "x"), "no list of its own: none until the server answers")
        self.assertEqual(([], 0), generation.sampler_choices([], "x"))

    def test_the_sampler_is_sent_only_when_one_is_chosen(self):
        doc = fake_krita.Document(40, 30)
        job = generation.prepare(KritaDocument(doc), Settings(prompt="x", seed=1), "generate")
        self.assertNotIn("sampler_name", job.payload, "none chosen: the server's default")
        chosen = generation.prepare(KritaDocument(doc), Settings(prompt="x", seed=1, sampler="from the server"), "generate")
        self.assertEqual("from the server", chosen.payload["sampler_name"])

    def test_progress_text_uses_the_steps_that_really_run(self):
        msg = ClientMessage("progress", "j", 1.0, 3, 3)
        self.assertEqual("Step 3 of 3 (the strength leaves 3 of the 4 steps to run)", generation.progress_text(msg, 4))
        self.assertEqual("Step 3 of 3", generation.progress_text(msg, 3))
        self.assertEqual("Starting...", generation.progress_text(ClientMessage("progress", "j", 0, 0, 4), 4))
        self.assertEqual("Queued.", generation.progress_text(ClientMessage("queued", "j"), 4))


if __name__ == "__main__":
    unittest.main()


class NativeResolutionTest(unittest.TestCase):
    """Regions are generated at the model's native size and land scaled back and blended."""

    def test_processing_size_keeps_area_and_aspect(self):
        self.assertEqual((512, 512), generation.processing_size(96, 96, 512))
        self.assertEqual((768, 768), generation.processing_size(2000, 2000, 768))
        w, h = generation.processing_size(3000, 2000, 512)
        self.assertEqual((0, 0), (w % 8, h % 8))
        self.assertLessEqual(abs(w / h - 1.5), 0.03, (w, h))
        self.assertLessEqual(abs(w * h / 512 ** 2 - 1), 0.03, (w, h))
        self.assertEqual(1024, max(generation.processing_size(4000, 100, 512)), "long side at most 2 x native")
        self.assertEqual((136, 128), generation.processing_size(130, 128, 0), "without a native size: rounded up")

    def test_the_native_size_comes_from_the_server_per_model_family(self):
        self.assertEqual(1024, generation.native_size(0, 1024), "SDXL's default_size")
        self.assertEqual(512, generation.native_size(0, 0), "no answer from the server: SD 1.x's 512")
        self.assertEqual(640, generation.native_size(640, 1024), "the docker's Size overrides")
        doc = document_with_selection(256, 256, (112, 112, 32, 32))
        job = generation.prepare(KritaDocument(doc), Settings(native_size=generation.native_size(0, 1024), steps=1),
                                 "generate")
        self.assertEqual((1024, 1024), (job.payload["width"], job.payload["height"]), "a 32² selection on SDXL")
        w, h = generation.processing_size(3000, 2000, 1024)
        self.assertLessEqual(abs(w * h / 1024 ** 2 - 1), 0.03, "SDXL's area: %dx%d" % (w, h))
        self.assertLessEqual(abs(w / h - 1.5), 0.03, (w, h))

    def test_a_32px_selection_is_generated_at_512_and_lands_blended(self):
        doc = document_with_selection(256, 256, (112, 112, 32, 32))
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(prompt="p", seed=5, native_size=512, padding=8), "inpaint")
        self.assertEqual((512, 512), (job.payload["width"], job.payload["height"]))
        region = job.region
        self.assertTrue(region.x <= 104 and region.right >= 152, region)
        mask, _ = imaging.decode_png_base64(job.payload["mask"])
        self.assertEqual((512, 512), (mask.width, mask.height))
        self.assertEqual(0, job.payload["mask_blur"], "the bridge feathers; the server gets the grown mask as is")
        factor = 512 / region.width
        inside = int((128 - region.x) * factor)
        self.assertEqual(255, mask.pixel(inside, inside)[0])
        self.assertEqual(0, mask.pixel(2, 2)[0])
        edge = int((112 - region.x) * factor) - 2  # just outside the selection: the grown mask repaints it
        self.assertEqual(255, mask.pixel(edge, inside)[0])

        final = generation.run(FakeClient(colour=(200, 10, 10)), job, lambda m: None)
        generation.place_results(kdoc, job, final)
        layer = doc.root.childNodes()[-1]
        alphas = [layer.pixelData(x, 128, 1, 1)[3] for x in range(region.x, region.right)]
        self.assertEqual(255, layer.pixelData(128, 128, 1, 1)[3], "opaque in the selection's middle")
        self.assertEqual(bytes([10, 10, 200, 255]), layer.pixelData(113, 128, 1, 1), "opaque just inside the edge")
        self.assertEqual(0, alphas[0], "transparent at the context's border")
        ramp = [a for a in alphas if 0 < a < 255]
        self.assertGreaterEqual(len(ramp), 4, "a feathered edge, not a hard one: %s" % alphas)
        left = alphas[:128 - region.x]
        self.assertEqual(left, sorted(left), "alpha rises towards the selection")

    def test_large_canvas_is_scaled_down_to_the_native_size(self):
        doc = fake_krita.Document(3000, 2000)
        job = generation.prepare(KritaDocument(doc), Settings(native_size=512), "generate")
        w, h = job.payload["width"], job.payload["height"]
        self.assertTrue(600 <= w <= 640 and 408 <= h <= 424, (w, h))
        self.assertEqual((3000, 2000), (job.region.width, job.region.height))

    def test_refine_without_selection_is_scaled_back_opaque_over_the_canvas(self):
        doc = fake_krita.Document(100, 60)
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(native_size=64, strength=0.5), "refine")
        init, _ = imaging.decode_png_base64(job.payload["init_images"][0])
        self.assertEqual((job.payload["width"], job.payload["height"]), (init.width, init.height))
        final = generation.run(FakeClient(), job, lambda m: None)
        generation.place_results(kdoc, job, final)
        layer = doc.root.childNodes()[-1]
        for x, y in ((0, 0), (99, 59), (50, 30)):
            self.assertEqual(bytes([30, 200, 10, 255]), layer.pixelData(x, y, 1, 1), (x, y))
