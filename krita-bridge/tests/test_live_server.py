"""Against a real running bridge (set DIFFUSEJ_BRIDGE_URL; run-tests.sh starts one): the plugin core, with the
fake krita documents, talks real HTTP to the Java server."""
import os
import threading
import time
import unittest

from tests import context  # noqa: F401
from tests import fake_krita

fake_krita.install()

from diffusej_krita import generation, imaging  # noqa: E402
from diffusej_krita.client import BridgeClient, ClientError  # noqa: E402
from diffusej_krita.document import KritaDocument  # noqa: E402
from diffusej_krita.generation import Settings  # noqa: E402
from diffusej_krita.session import JobSession  # noqa: E402
from tests import e2e_scenario  # noqa: E402

URL = os.environ.get("DIFFUSEJ_BRIDGE_URL")
# A bridge on sd1-tiny with TAESD previews and the LoRA fixture folder (run-tests.sh starts one).
PREVIEW_URL = os.environ.get("DIFFUSEJ_PREVIEW_BRIDGE_URL")


@unittest.skipUnless(URL, "DIFFUSEJ_BRIDGE_URL not set: no running bridge to test against")
class LiveServerTest(unittest.TestCase):
    def test_inpaint_selection_end_to_end(self):
        doc = fake_krita.Document(e2e_scenario.WIDTH, e2e_scenario.HEIGHT)
        doc.setSelection(fake_krita.Selection(e2e_scenario.WIDTH, e2e_scenario.HEIGHT, [e2e_scenario.SELECTION + (255,)]))
        e2e_scenario.run(doc, URL, lambda cond, msg: self.assertTrue(cond, msg))

    def test_server_info_names_models_samplers_and_the_native_size(self):
        info = BridgeClient(URL).server_info()
        self.assertIn(info["default_size"], (512, 768, 1024))
        titles, index = generation.model_choices(info["models"], info["model"])
        self.assertGreaterEqual(index, 0, "the current model %r is among %s" % (info["model"], titles))
        self.assertIn("Euler a", info["samplers"])

    def test_a_small_selection_runs_at_the_native_size_and_lands_blended(self):
        doc = fake_krita.Document(200, 160)
        doc.setSelection(fake_krita.Selection(200, 160, [(90, 70, 16, 16, 255)]))
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(prompt="n", seed=4, steps=2, native_size=128), "inpaint")
        self.assertEqual((128, 128), (job.payload["width"], job.payload["height"]))
        final = generation.run(BridgeClient(URL), job, lambda m: None)
        self.assertEqual("finished", final.event, final.message)
        generation.place_results(kdoc, job, final)
        layer = doc.root.childNodes()[-1]
        self.assertEqual(255, layer.pixelData(98, 78, 1, 1)[3])
        self.assertEqual(0, layer.pixelData(job.region.x, job.region.y, 1, 1)[3])
        ramp = [layer.pixelData(x, 78, 1, 1)[3] for x in range(job.region.x, 98)]
        self.assertTrue(any(0 < a < 255 for a in ramp), "feathered edge: %s" % ramp)

    def test_whole_odd_canvas_and_closed_document(self):
        doc = fake_krita.Document(66, 50)
        doc.setSelection(fake_krita.Selection(66, 50, [(0, 0, 66, 50, 255)]))
        e2e_scenario.run_whole_canvas_and_close(doc, URL, lambda cond, msg: self.assertTrue(cond, msg))

    def test_cancel_interrupts_a_running_job(self):
        client = BridgeClient(URL)
        job = client.enqueue({"mode": "txt2img", "steps": 900, "width": 8, "height": 8})
        events = []
        listener = threading.Thread(target=lambda: events.extend(client.listen(job)))
        listener.start()
        deadline = time.time() + 20
        while not any(e.event == "progress" and e.step > 0 for e in events) and time.time() < deadline:
            time.sleep(0.05)
        client.interrupt()
        listener.join(20)
        self.assertFalse(listener.is_alive(), "listen() did not end after interrupt")
        self.assertEqual("interrupted", events[-1].event)
        self.assertLess(events[-1].step, 900)

    def test_non_default_inpaint_modes_run_on_the_server(self):
        """Replace background (mask inversion, latent noise) and Remove (prompt to negative) through the real server;
        the replaced background lands around the untouched subject."""
        for key in ("replace_background", "remove"):
            doc = fake_krita.Document(96, 80)
            doc.background.data[:] = bytes([40, 90, 160, 255]) * (96 * 80)
            doc.setSelection(fake_krita.Selection(96, 80, [(32, 24, 32, 32, 255)]))
            kdoc = KritaDocument(doc)
            job = generation.prepare(kdoc, Settings(prompt="a chair", seed=2, steps=2, native_size=64,
                                                    inpaint_mode=key), "inpaint")
            final = generation.run(BridgeClient(URL), job, lambda m: None)
            self.assertEqual("finished", final.event, "%s: %s" % (key, final.message))
            generation.place_results(kdoc, job, final)
            layer = doc.root.childNodes()[-1]
            inside, outside = layer.pixelData(48, 40, 1, 1)[3], layer.pixelData(0, 0, 1, 1)[3]
            self.assertEqual((0, 255) if key == "replace_background" else (255, 0), (inside, outside), key)

    def test_a_large_refine_runs_in_tiles_on_the_server(self):
        doc = fake_krita.Document(150, 100)
        kdoc = KritaDocument(doc)
        job = generation.prepare(kdoc, Settings(prompt="t", seed=6, steps=2, strength=0.5, native_size=64), "refine")
        self.assertEqual(6, sum(len(row) for row in job.tiles), "3 × 2 tiles of 64² over 150×100")
        parts = []
        final = generation.run(BridgeClient(URL), job, lambda m: parts.append(m.part))
        self.assertEqual("finished", final.event, final.message)
        self.assertIn("Tile 6 of 6", parts)
        generation.place_results(kdoc, job, final)
        layer = doc.root.childNodes()[-1]
        for x, y in ((0, 0), (149, 99), (75, 50)):
            self.assertEqual(255, layer.pixelData(x, y, 1, 1)[3], (x, y))

    def test_server_errors_reach_the_painter(self):
        with self.assertRaisesRegex(ClientError, "HTTP 422.*init_images"):
            BridgeClient(URL).enqueue({"mode": "img2img"})


@unittest.skipUnless(PREVIEW_URL, "DIFFUSEJ_PREVIEW_BRIDGE_URL not set: no bridge with TAESD previews and LoRAs")
class PreviewAndLoraServerTest(unittest.TestCase):
    def _prepare(self, prompt):
        doc = KritaDocument(fake_krita.Document(64, 64))
        return doc, generation.prepare(doc, Settings(prompt=prompt, seed=11, steps=3, native_size=64), "generate")

    def _txt2img(self, prompt, on_message=lambda m: None):
        _doc, job = self._prepare(prompt)
        final = generation.run(BridgeClient(PREVIEW_URL), job, on_message)
        self.assertEqual("finished", final.event, final.message)
        return final

    def test_the_docker_session_shows_the_servers_taesd_previews(self):
        seen = []
        doc, job = self._prepare("a cat")
        session = JobSession(job, doc)

        def follow(message):
            session.on_message(message)
            if session.preview is not None:
                seen.append(session.preview)
        generation.run(BridgeClient(PREVIEW_URL), job, follow)
        self.assertTrue(seen, "no preview reached the session")
        image, _ = imaging.decode_png(seen[0])
        # TAESD decodes at 8 × the latent size: the tiny fixture's latents are 1/2 of the image, so the preview is
        # 4 × the image's side here (8 × latents = 1 × the image with real models); the aspect is the image's.
        self.assertEqual(image.width, image.height, "a square preview for a square image")
        self.assertGreaterEqual(image.width, 64)
        self.assertIsNone(session.preview, "the result replaces the preview")
        self.assertTrue(session.status.startswith("Done"), session.status)

    def test_a_lora_from_the_picker_changes_the_image(self):
        names = generation.lora_choices(BridgeClient(PREVIEW_URL).loras())
        self.assertIn("kohya_alpha1", names)
        plain = self._txt2img("a cat")
        with_lora = self._txt2img(generation.insert_lora("a cat", "kohya_alpha1", 0.8))
        self.assertNotEqual(plain.images[0], with_lora.images[0], "the LoRA at 0.8 changes the image")
        self.assertIn("Lora hashes", with_lora.infotexts[0])
        self.assertIn("kohya_alpha1", with_lora.infotexts[0])


if __name__ == "__main__":
    unittest.main()
