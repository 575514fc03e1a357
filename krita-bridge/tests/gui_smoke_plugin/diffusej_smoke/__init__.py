"""GUI smoke test, run inside `xvfb-run krita` by tests/gui_smoke.sh, once the main window exists:
 1. inpaint: a document with a selection, the DiffuseJ Inpaint action in Fill mode, the result layer checked (real
    pipeline), the sampler list the server's own, the LoRA picker's strength; a Refine of a 150×100 document at size
    64 runs in 3 × 2 tiles and lands opaque;
 2. close during a job: a Generate on the slow bridge, the document closed mid-job: the job must end as
    "interrupted" on the server (cancelled by its id), the docker says the result was dropped, no exception;
 3. quit during a job: a Generate on the slow bridge, then file_quit while it runs. The job id goes to
    $DIFFUSEJ_SMOKE_JOB; gui_smoke.sh checks that Krita exits cleanly and that the server cancelled the job.
PASS/FAIL goes to $DIFFUSEJ_SMOKE_RESULT before the quit."""
import os
import sys
import time
import traceback

from PyQt5.QtCore import QTimer
from krita import Extension, Krita, Selection

RESULT = os.environ.get("DIFFUSEJ_SMOKE_RESULT")
JOB_FILE = os.environ.get("DIFFUSEJ_SMOKE_JOB")
URL = os.environ.get("DIFFUSEJ_BRIDGE_URL", "")
SLOW_URL = os.environ.get("DIFFUSEJ_SLOW_BRIDGE_URL", "")
TIMEOUT_S = 90
EXCEPTIONS = []


def _record_exception(kind, value, tb, previous=sys.excepthook):
    EXCEPTIONS.append("".join(traceback.format_exception(kind, value, tb)))
    previous(kind, value, tb)


class SmokeTest(Extension):
    def __init__(self, parent):
        super().__init__(parent)
        self.doc = None
        self.deadline = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self.poll)
        self.phase = None
        self.passed = []
        self.job_id = None

    def setup(self):
        Krita.instance().notifier().windowCreated.connect(lambda: QTimer.singleShot(2000, self.begin))

    def createActions(self, window):
        pass

    def new_document(self, name, width, height):
        app = Krita.instance()
        doc = app.createDocument(width, height, name, "RGBA", "U8", "", 72.0)
        app.activeWindow().addView(doc)
        background = doc.rootNode().childNodes()[0]
        background.setPixelData(bytes([50, 60, 70, 255]) * (width * height), 0, 0, width, height)
        doc.setActiveNode(background)
        doc.refreshProjection()
        doc.waitForDone()
        return doc

    def start(self, phase, url, steps, action):
        from diffusej_krita.docker import active_docker
        docker = active_docker()
        docker.url.setText(url)
        docker.url.editingFinished.emit()  # as when the painter leaves the field: the docker asks for samplers
        docker.prompt.setPlainText(phase)
        docker.seed.setValue(7)
        docker.steps.setValue(steps)
        docker.size.setValue(64)  # the tiny model runs its own 512 too slowly (or not at all) on small test machines
        Krita.instance().action(action).trigger()
        self.phase = phase
        self.deadline = time.time() + TIMEOUT_S
        self.timer.start(200)

    def begin(self):
        try:
            from diffusej_krita.docker import active_docker
            sys.excepthook = _record_exception
            app = Krita.instance()
            if active_docker() is None:
                return self.finish("FAIL: the DiffuseJ docker was not created")
            titles = [d.windowTitle() for d in app.dockers()]
            if "DiffuseJ" not in titles:
                return self.finish("FAIL: no docker titled DiffuseJ among %s" % titles)
            if app.action("diffusej_inpaint") is None:
                return self.finish("FAIL: action diffusej_inpaint not registered")
            self.doc = self.new_document("smoke", 64, 48)
            selection = Selection()
            selection.select(20, 10, 12, 8, 255)
            self.doc.setSelection(selection)
            docker = active_docker()
            docker.inpaint_mode.setCurrentIndex(docker.inpaint_mode.findData("fill"))  # a non-default mode
            self.start("inpaint", URL, 4, "diffusej_inpaint")
        except Exception:
            self.finish("FAIL\n" + traceback.format_exc())

    def poll(self):
        try:
            from diffusej_krita.docker import active_docker
            docker = active_docker()
            status = docker.status.text()
            if EXCEPTIONS:
                return self.finish("FAIL: exception in phase %s:\n%s" % (self.phase, EXCEPTIONS[0]))
            if time.time() > self.deadline or status.startswith(("Cannot", "The bridge", "Unexpected", "Lost")):
                return self.finish("FAIL in phase %s: docker status=%r" % (self.phase, status))
            getattr(self, "poll_" + self.phase)(docker, status)
        except Exception:
            self.finish("FAIL\n" + traceback.format_exc())

    def poll_inpaint(self, docker, status):
        if not status.startswith("Done"):
            return
        names = [n.name() for n in self.doc.rootNode().childNodes()]
        layer = [n for n in self.doc.rootNode().childNodes() if n.name().startswith("DiffuseJ 7")][0]
        inside = bytes(layer.pixelData(23, 13, 1, 1))
        outside = bytes(layer.pixelData(63, 47, 1, 1))
        if not (inside[3] == 255 and outside[3] == 0 and inside[:3] != bytes([50, 60, 70])):
            return self.finish("FAIL pixels inside=%s outside=%s" % (list(inside), list(outside)))
        sent = docker._session.job.payload
        if (sent["inpainting_fill"], sent["denoising_strength"]) != (0, 1.0) or docker.preview.isVisible():
            return self.finish("FAIL: Fill mode sent %s, preview visible %s"
                               % ({k: sent[k] for k in ("inpainting_fill", "denoising_strength")},
                                  docker.preview.isVisible()))
        docker._on_loras(["toy"])  # as when a server lists one (this test bridge has no LoRA folder)
        docker.lora_strength.setValue(0.6)
        docker.add_lora.click()
        if not docker.prompt.toPlainText().endswith("<lora:toy:0.6>"):
            return self.finish("FAIL: LoRA Add gave the prompt %r" % docker.prompt.toPlainText())
        from diffusej_krita.client import BridgeClient
        offered = [docker.sampler.itemText(i) for i in range(docker.sampler.count())]
        if offered != BridgeClient(URL).samplers():
            return self.finish("FAIL: the sampler list %s is not the server's" % offered)
        models = [docker.model.itemText(i) for i in range(docker.model.count())]
        client = BridgeClient(URL)
        if models != client.models() or docker.model.currentText() != client.current_model():
            return self.finish("FAIL: the model list %s / %r is not the server's" % (models, docker.model.currentText()))
        if docker.history_list.count() != 1 or "seed 7" not in docker.history_list.itemText(0):
            return self.finish("FAIL: history %s" % [docker.history_list.itemText(i) for i in range(docker.history_list.count())])
        docker.apply_button.click()
        again = [n.name() for n in self.doc.rootNode().childNodes()]
        ours = [n for n in again if n.startswith("DiffuseJ 7")]
        if len(again) != len(names) + 1 or len(ours) != 2:
            return self.finish("FAIL: Apply again gave layers %s (before %s)" % (again, names))
        self.passed.append("inpaint (Fill mode) layers=%s status=%r; %d samplers and %d models from the server; "
                           "applied again; LoRA added at 0.6"
                           % (names, status, len(offered), len(models)))
        self.doc.setModified(False)
        self.doc = self.new_document("tiles", 150, 100)
        self.start("tiles", SLOW_URL, 2, "diffusej_refine")  # 150×100 on a 64 model: 3 × 2 tiles

    def poll_tiles(self, docker, status):
        if not status.startswith("Done"):
            if status.startswith("Tile "):
                self.tile_status = status
            return
        layer = [n for n in self.doc.rootNode().childNodes() if n.name().startswith("DiffuseJ 7")][0]
        alphas = [bytes(layer.pixelData(x, y, 1, 1))[3] for x, y in ((0, 0), (149, 99), (75, 50), (149, 0))]
        if alphas != [255] * 4 or " of 6: " not in getattr(self, "tile_status", ""):
            return self.finish("FAIL: tiled refine alphas %s, last tile status %r"
                               % (alphas, getattr(self, "tile_status", None)))
        self.passed.append("tiled refine: %s, then %r" % (self.tile_status, status))
        self.doc.setModified(False)
        self.doc = self.new_document("close-me", 70, 50)
        self.start("close", SLOW_URL, 150, "diffusej_generate")

    def running_job(self, docker, status):
        """The job id once the slow job is past its first step, else None."""
        session = docker._session
        return session.job_id if session is not None and session.running and status.startswith("Step") else None

    def poll_close(self, docker, status):
        from diffusej_krita.client import BridgeClient
        if self.job_id is None:
            self.job_id = self.running_job(docker, status)
            if self.job_id is not None:
                self.doc.setModified(False)
                self.doc.close()
            return
        last = BridgeClient(SLOW_URL)._call("GET", "/diffusej/v1/jobs/%s" % self.job_id)
        if last["event"] == "interrupted" and "document was closed" in status and not docker._running():
            self.passed.append("close during job: job %s %s, status=%r" % (self.job_id, last["event"], status))
            self.job_id = None
            self.doc = self.new_document("quit-during-job", 64, 64)
            self.start("quit", SLOW_URL, 150, "diffusej_generate")

    def poll_quit(self, docker, status):
        job_id = self.running_job(docker, status)
        if job_id is None:
            return
        with open(JOB_FILE, "w", encoding="utf-8") as f:
            f.write(job_id)
        self.passed.append("quitting during job %s" % job_id)
        self.finish("PASS " + "; ".join(self.passed))

    def finish(self, outcome):
        self.timer.stop()
        if RESULT:
            with open(RESULT, "w", encoding="utf-8") as f:
                f.write(outcome)
        QTimer.singleShot(100, quit_krita)


def quit_krita():
    """file_quit waits on a question for modified documents: mark them unmodified first (not closed: a job may
    still be running on one, which is what the quit test is about)."""
    app = Krita.instance()
    for d in app.documents():
        d.setModified(False)
    app.action("file_quit").trigger()


if RESULT:
    Krita.instance().addExtension(SmokeTest(Krita.instance()))
