"""Threads for HTTP: Krita freezes if the UI thread waits on the network, so every call runs here and reports back
through Qt signals (delivered on the UI thread). Threads belong to `Workers`, not to a widget: when Krita quits,
`Workers.stop_all` cancels running jobs on the server and waits for every thread, so Krita never destroys a thread
that still runs (which aborts it: "QThread: Destroyed while thread is still running")."""
import threading

from PyQt5.QtCore import QThread, pyqtSignal
from PyQt5.QtWidgets import QApplication

from . import generation
from .client import ClientError

STOP_WAIT_MS = 20000  # a poll (2 s) + the step in progress + a cancel call, with room for a slow machine


class JobWorker(QThread):
    """Sends one prepared job and emits its events until the final one; `stop()` makes it cancel the job on the
    server by its id and end without a final event."""
    job_started = pyqtSignal(str)
    message = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, client, job):
        super().__init__()
        self.client, self.job = client, job
        self._stop = threading.Event()

    def stop(self):
        self._stop.set()

    def run(self):
        try:
            generation.run(self.client, self.job, self.message.emit, self.job_started.emit, self._stop.is_set)
        except ClientError as e:
            self.failed.emit(str(e))
        except Exception as e:  # noqa: BLE001 — shown to the painter instead of dying silently in a thread
            self.failed.emit("Unexpected error: %s" % e)


class CallWorker(QThread):
    """Runs one short client call (cancel, samplers, health) off the UI thread."""
    done = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, call):
        super().__init__()
        self.call = call

    def stop(self):
        pass  # short calls end on their own (HTTP timeout)

    def run(self):
        try:
            self.done.emit(self.call())
        except ClientError as e:
            self.failed.emit(str(e))
        except Exception as e:  # noqa: BLE001
            self.failed.emit("Unexpected error: %s" % e)


class Workers:
    """The running threads, kept alive until they end; stopped and waited for when the application quits."""
    running = set()
    _hooked = False

    @classmethod
    def start(cls, worker: QThread) -> QThread:
        if not cls._hooked and QApplication.instance() is not None:
            QApplication.instance().aboutToQuit.connect(cls.stop_all)
            cls._hooked = True
        cls.running.add(worker)
        worker.finished.connect(cls._reap)
        worker.start()
        return worker

    @classmethod
    def _reap(cls):
        """Drops the threads that have ended (finished() comes just before the end: a late one goes next time)."""
        cls.running.difference_update([w for w in cls.running if w.isFinished()])

    @classmethod
    def stop_all(cls, wait_ms: int = STOP_WAIT_MS):
        """Asks every thread to stop (jobs are cancelled on the server), then waits for them."""
        workers = list(cls.running)
        for w in workers:
            w.stop()
        for w in workers:
            w.wait(wait_ms)
        cls._reap()
