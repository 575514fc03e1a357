"""One job as the docker follows it, without Qt or krita: its server id, a cancel asked before the id is known, what
the painter sees (status line, progress), and where the results go (nowhere once the document is closed)."""
from __future__ import annotations

import base64
import binascii

from . import generation, imaging
from .client import ClientMessage
from .generation import DocumentError, PreparedJob


class JobSession:
    """Created when a job is sent; the docker feeds it the worker's signals and shows `status` and `percent`."""

    def __init__(self, job: PreparedJob, document, history=None):
        self.job, self.document, self.history = job, document, history
        self.job_id = None
        self.cancel_wanted = False
        self.running = True
        self.percent = 0
        self.preview = None  # the latest preview image (PNG bytes) while the job runs; None without previews
        self.status = "Sending %s (%dx%d)..." % (job.mode, job.region.width, job.region.height)

    def started(self, job_id: str) -> bool:
        """Records the server's id; True when Cancel was pressed before it came (cancel it now)."""
        self.job_id = job_id
        return self.cancel_wanted and self.running

    def cancel(self) -> str | None:
        """Cancel pressed: the id to cancel now, or None when that has to wait for the id (or nothing runs)."""
        if not self.running:
            return None
        self.cancel_wanted = True
        self.status = "Cancelling..."
        return self.job_id

    def document_closed(self) -> bool:
        """True (once) when the job's document has been closed while the job runs: stop the job."""
        if not self.running or self.document.is_open():
            return False
        self.running = False
        self.status = "The document was closed: the job was cancelled on the server and its result dropped."
        return True

    def on_message(self, message: ClientMessage) -> None:
        if not self.running:
            return
        self.percent = int(round(100 * message.progress))
        if message.event in ("queued", "progress"):
            if message.preview:
                self.preview = _png(message.preview)
            if not self.cancel_wanted:
                self.status = generation.progress_text(message, self.job.steps)
            return
        self.running = False
        self.preview = None
        if message.event == "error":
            self.status = "The bridge reported an error: %s" % message.message
            return
        try:
            names = generation.place_results(self.document, self.job, message)
        except DocumentError as e:  # DocumentClosed among them: the result is dropped, the line says why
            self.status = str(e)
            return
        if self.history is not None:
            self.history.add(self.job, self.document, message)
        verb = "Done" if message.event == "finished" else "Interrupted"
        self.status = "%s: added %d layer(s)%s" % (verb, len(names), (": " + ", ".join(names)) if names else ".")

    def on_failure(self, text: str) -> None:
        if self.running:
            self.running = False
            self.preview = None
            self.status = text


def thumbnail_size(width: int, height: int, box: int) -> tuple:
    """The size a width×height preview is shown at: its aspect kept, the long side `box` (never enlarged)."""
    scale = min(1.0, box / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _png(b64: str):
    """The preview's PNG bytes, or None when it is not a PNG (a bad preview is skipped, the job goes on)."""
    try:
        data = base64.b64decode(b64.split(",", 1)[1] if b64.startswith("data:") else b64, validate=True)
    except (ValueError, binascii.Error):
        return None
    return data if data.startswith(imaging.PNG_SIGNATURE) else None
