"""JobSession: what the docker shows and does while one job runs (no Qt: the docker only wires it to widgets)."""
import unittest

from tests import context  # noqa: F401
from tests import fake_krita

fake_krita.install()

import base64  # noqa: E402

from diffusej_krita import generation, imaging  # noqa: E402
from diffusej_krita.client import ClientMessage  # noqa: E402
from diffusej_krita.document import KritaDocument  # noqa: E402
from diffusej_krita.generation import Settings  # noqa: E402
from diffusej_krita.session import JobSession, thumbnail_size  # noqa: E402
from tests.test_generation import FakeClient, document_with_selection  # noqa: E402


def new_session(steps=4, strength=0.75, mode="inpaint"):
    doc = document_with_selection()
    kdoc = KritaDocument(doc)
    job = generation.prepare(kdoc, Settings(prompt="p", seed=5, steps=steps, strength=strength), mode)
    return doc, job, JobSession(job, kdoc)


def _final(job):
    """The finished event the fake server sends for `job`."""
    return generation.run(FakeClient(), job, lambda m: None)


class PreviewTest(unittest.TestCase):
    """Live previews: the latest image of the native job events (TAESD on the server) while the job runs."""

    def test_the_latest_preview_shows_while_the_job_runs_and_goes_with_it(self):
        doc, job, session = new_session()
        self.assertIsNone(session.preview, "no preview before the server sends one")
        first = imaging.png_base64(2, 2, bytes([1, 2, 3]) * 4, 3)
        second = imaging.png_base64(3, 1, bytes([9, 9, 9]) * 3, 3)
        session.on_message(ClientMessage("progress", "j", 0.25, 1, 4, preview=first))
        self.assertEqual(base64.b64decode(first), session.preview)
        session.on_message(ClientMessage("progress", "j", 0.5, 2, 4))
        self.assertEqual(base64.b64decode(first), session.preview, "an event without a preview keeps the last")
        session.on_message(ClientMessage("progress", "j", 0.75, 3, 4, preview="data:image/png;base64," + second))
        self.assertEqual(base64.b64decode(second), session.preview)
        session.on_message(ClientMessage("progress", "j", 0.8, 3, 4, preview="not base64 at all!"))
        self.assertIsNone(session.preview, "a broken preview is not shown")
        session.on_message(ClientMessage("progress", "j", 0.8, 3, 4, preview=first))
        session.on_message(_final(job))
        self.assertIsNone(session.preview, "the result replaces the preview")

    def test_a_failure_clears_the_preview(self):
        _doc, _job, session = new_session()
        session.on_message(ClientMessage("progress", "j", 0.25, 1, 4, preview=imaging.png_base64(1, 1, b"abc", 3)))
        session.on_failure("Lost the bridge")
        self.assertIsNone(session.preview)

    def test_thumbnail_keeps_the_aspect_and_never_enlarges(self):
        self.assertEqual((160, 120), thumbnail_size(512, 384, 160))
        self.assertEqual((90, 160), thumbnail_size(576, 1024, 160))
        self.assertEqual((64, 64), thumbnail_size(64, 64, 160))


class JobSessionTest(unittest.TestCase):
    def test_progress_starts_at_zero_and_shows_the_steps_that_run(self):
        doc, job, session = new_session()
        self.assertEqual(0, session.percent, "a new job starts its bar at 0 whatever the last one reached")
        self.assertTrue(session.running)
        session.on_message(ClientMessage("queued", "j"))
        self.assertEqual("Queued.", session.status)
        session.on_message(ClientMessage("progress", "j", 0.0, 0, 4))
        self.assertEqual("Starting...", session.status)
        session.on_message(ClientMessage("progress", "j", 2 / 3, 2, 3))
        self.assertEqual(67, session.percent)
        self.assertEqual("Step 2 of 3 (the strength leaves 3 of the 4 steps to run)", session.status)
        session.on_message(_final(job))
        self.assertFalse(session.running)
        self.assertEqual(100, session.percent)
        self.assertTrue(session.status.startswith("Done: added 1 layer(s): DiffuseJ 5"), session.status)

    def test_cancel_before_the_id_is_known_waits_for_it(self):
        _doc, _job, session = new_session()
        self.assertIsNone(session.cancel(), "no id yet: nothing to cancel now")
        self.assertEqual("Cancelling...", session.status)
        self.assertTrue(session.started("job-9"), "the id arrived: cancel it now")
        session.on_message(ClientMessage("progress", "job-9", 0.5, 1, 2))
        self.assertEqual("Cancelling...", session.status, "progress does not hide the pending cancel")
        _doc, _job, other = new_session()
        self.assertFalse(other.started("job-1"))
        self.assertEqual("job-1", other.cancel())

    def test_closing_the_document_during_a_job_stops_it_and_drops_the_result(self):
        doc, job, session = new_session()
        session.started("job-1")
        session.on_message(ClientMessage("progress", "job-1", 0.5, 2, 3))
        self.assertFalse(session.document_closed(), "still open")
        final = _final(job)
        doc.close()
        self.assertTrue(session.document_closed())
        self.assertFalse(session.document_closed(), "reported once")
        self.assertFalse(session.running)
        self.assertIn("document was closed", session.status)
        session.on_message(final)  # a final event already on its way is ignored
        self.assertIn("cancelled on the server", session.status)

    def test_result_arriving_after_the_document_closed_is_dropped_with_a_line(self):
        doc, job, session = new_session()
        final = _final(job)
        doc.close()
        session.on_message(final)  # the worker's last event raced the close: no 'NoneType' error
        self.assertFalse(session.running)
        self.assertEqual("The document was closed before the result arrived; the result was dropped.", session.status)

    def test_errors_and_failures_end_the_job(self):
        _doc, _job, session = new_session()
        session.on_message(ClientMessage("error", "j", message="Unknown sampler 'x'"))
        self.assertEqual("The bridge reported an error: Unknown sampler 'x'", session.status)
        self.assertFalse(session.running)
        _doc, _job, session = new_session()
        session.on_failure("Lost the DiffuseJ bridge")
        self.assertEqual("Lost the DiffuseJ bridge", session.status)
        self.assertIsNone(session.cancel())


if __name__ == "__main__":
    unittest.main()
