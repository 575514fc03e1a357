"""Against a real running bridge (set DIFFUSEJ_BRIDGE_URL; run-tests.sh starts one): the plugin core, with the
fake krita documents, talks real HTTP to the Java server."""
import os
import threading
import time
import unittest

from tests import context  # noqa: F401
from tests import fake_krita

fake_krita.install()

from diffusej_krita import generation  # noqa: E402
from diffusej_krita.client import BridgeClient, ClientError  # noqa: E402
from diffusej_krita.document import KritaDocument  # noqa: E402
from diffusej_krita.generation import Settings  # noqa: E402
from tests import e2e_scenario  # noqa: E402

URL = os.environ.get("DIFFUSEJ_BRIDGE_URL")


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

    def test_server_errors_reach_the_painter(self):
        with self.assertRaisesRegex(ClientError, "HTTP 422.*init_images"):
            BridgeClient(URL).enqueue({"mode": "img2img"})


if __name__ == "__main__":
    unittest.main()
