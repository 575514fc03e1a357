"""The docker's small history of results, without Qt or krita: each finished image with its seed, prompt and where it
went, so the painter can apply one again as a new layer (in the document it was made for)."""
from __future__ import annotations

from dataclasses import dataclass

from . import generation
from .client import ClientMessage
from .generation import PreparedJob


@dataclass
class Entry:
    """One result image: the job it came from, its document, its seed and the image (base64 PNG as the server sent it)."""
    job: PreparedJob
    document: object
    seed: object
    image: str

    def label(self) -> str:
        return "%s · seed %s · %s" % (self.job.mode, self.seed, " ".join(self.job.prompt.split())[:30] or "(no prompt)")


class History:
    """The last `limit` result images, newest first."""

    def __init__(self, limit: int = 12):
        if limit < 1:
            raise ValueError("the history must keep at least one result")
        self.limit = limit
        self.entries = []

    def add(self, job: PreparedJob, document, final: ClientMessage) -> None:
        """Records each image of a finished or interrupted job (errors carry none)."""
        for i, image in enumerate(final.images):
            seed = final.seeds[i] if i < len(final.seeds) else "?"
            self.entries.insert(0, Entry(job, document, seed, image))
        del self.entries[self.limit:]

    def labels(self) -> list:
        return [e.label() for e in self.entries]

    def apply(self, index: int) -> list:
        """Places entry `index` again as a new layer over the region it was made for; DocumentClosed when that
        document is gone."""
        if not 0 <= index < len(self.entries):
            raise IndexError("no history entry %d (there are %d)" % (index, len(self.entries)))
        entry = self.entries[index]
        single = ClientMessage("finished", "", 1.0, images=[entry.image], seeds=[entry.seed])
        return generation.place_results(entry.document, entry.job, single)
