"""The result history and the model list: what the docker shows and re-applies (no Qt)."""
import unittest

from tests import context  # noqa: F401
from tests import fake_krita

fake_krita.install()

from diffusej_krita import generation  # noqa: E402
from diffusej_krita.client import ClientMessage  # noqa: E402
from diffusej_krita.document import KritaDocument  # noqa: E402
from diffusej_krita.generation import DocumentClosed, Settings  # noqa: E402
from diffusej_krita.history import History  # noqa: E402
from diffusej_krita.session import JobSession  # noqa: E402
from tests.test_generation import FakeClient, document_with_selection  # noqa: E402


def finished_session(history, seed=5, batch=2, colour=(10, 200, 30)):
    doc = document_with_selection()
    kdoc = KritaDocument(doc)
    job = generation.prepare(kdoc, Settings(prompt="a door", seed=seed, batch_size=batch), "inpaint")
    session = JobSession(job, kdoc, history)
    session.on_message(generation.run(FakeClient(colour), job, lambda m: None))
    return doc, kdoc


class HistoryTest(unittest.TestCase):
    def test_finished_images_are_kept_newest_first_with_their_seeds(self):
        history = History(limit=3)
        finished_session(history, seed=5, batch=2)
        finished_session(history, seed=40, batch=2)
        self.assertEqual([41, 40, 6], [e.seed for e in history.entries], "at most 3, newest first")
        self.assertIn("seed 41", history.labels()[0])
        self.assertIn("a door", history.labels()[0])

    def test_an_entry_is_applied_again_as_a_new_layer_in_its_document(self):
        history = History()
        doc, _ = finished_session(history, seed=9, batch=1, colour=(1, 2, 3))
        before = [n.name() for n in doc.root.childNodes()]
        names = history.apply(0)
        self.assertEqual(["DiffuseJ 9 – a door"], names)
        layers = doc.root.childNodes()
        self.assertEqual(len(before) + 1, len(layers))
        self.assertEqual(bytes([3, 2, 1, 255]), layers[-1].pixelData(22, 12, 1, 1), "the same pixels again")

    def test_errors_and_closed_documents(self):
        history = History()
        doc, kdoc = finished_session(history, batch=1)
        with self.assertRaises(IndexError):
            history.apply(5)
        kdoc_job = history.entries[0].job
        history.add(kdoc_job, kdoc, ClientMessage("error", "j", message="boom"))
        self.assertEqual(1, len(history.entries), "an error adds nothing")
        doc.close()
        with self.assertRaises(DocumentClosed):
            history.apply(0)
        with self.assertRaises(ValueError):
            History(limit=0)


class ModelChoicesTest(unittest.TestCase):
    def test_current_model_is_found_by_title_or_without_its_hash(self):
        titles = ["a.safetensors [0123456789]", "b"]
        self.assertEqual((titles, 0), generation.model_choices(titles, "a.safetensors [0123456789]"))
        self.assertEqual((titles, 0), generation.model_choices(titles, "a.safetensors"))
        self.assertEqual((titles, 1), generation.model_choices(titles, "b [abcdef0123]"))
        self.assertEqual((titles, -1), generation.model_choices(titles, "c"))
        self.assertEqual(([], -1), generation.model_choices(None, "a"))
