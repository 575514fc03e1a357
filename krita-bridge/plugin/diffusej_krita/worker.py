"""Threads for HTTP: Krita freezes if the UI thread waits on the network, so every call runs here and reports back
through Qt signals (delivered on the UI thread)."""
from PyQt5.QtCore import QThread, pyqtSignal

from . import generation
from .client import ClientError


class JobWorker(QThread):
    """Sends one prepared job and emits its events until the final one."""
    job_started = pyqtSignal(str)
    message = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, client, job, parent=None):
        super().__init__(parent)
        self.client, self.job = client, job

    def run(self):
        try:
            generation.run(self.client, self.job, self.message.emit, self.job_started.emit)
        except ClientError as e:
            self.failed.emit(str(e))
        except Exception as e:  # noqa: BLE001 — shown to the painter instead of dying silently in a thread
            self.failed.emit("Unexpected error: %s" % e)


class CallWorker(QThread):
    """Runs one short client call (interrupt, cancel, health) off the UI thread."""
    done = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, call, parent=None):
        super().__init__(parent)
        self.call = call

    def run(self):
        try:
            self.done.emit(self.call())
        except ClientError as e:
            self.failed.emit(str(e))
        except Exception as e:  # noqa: BLE001
            self.failed.emit("Unexpected error: %s" % e)
