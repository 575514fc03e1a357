"""GUI smoke test, run inside `xvfb-run krita` by tests/gui_smoke.sh: once the main window exists, open a document
with a selection, trigger the DiffuseJ Inpaint action, wait for the result layers, check them, write PASS/FAIL to
$DIFFUSEJ_SMOKE_RESULT and quit through file_quit (documents marked unmodified so quitting cannot hang)."""
import os
import time
import traceback

from PyQt5.QtCore import QTimer
from krita import Extension, Krita, Selection

RESULT = os.environ.get("DIFFUSEJ_SMOKE_RESULT")
URL = os.environ.get("DIFFUSEJ_BRIDGE_URL", "")
TIMEOUT_S = 90


class SmokeTest(Extension):
    def __init__(self, parent):
        super().__init__(parent)
        self.doc = None
        self.deadline = 0
        self.timer = None

    def setup(self):
        Krita.instance().notifier().windowCreated.connect(lambda: QTimer.singleShot(2000, self.begin))

    def createActions(self, window):
        pass

    def begin(self):
        try:
            from diffusej_krita.docker import active_docker
            app = Krita.instance()
            window = app.activeWindow()
            docker = active_docker()
            if docker is None:
                return self.finish("FAIL: the DiffuseJ docker was not created")
            titles = [d.windowTitle() for d in app.dockers()]
            if "DiffuseJ" not in titles:
                return self.finish("FAIL: no docker titled DiffuseJ among %s" % titles)
            self.doc = app.createDocument(64, 48, "smoke", "RGBA", "U8", "", 72.0)
            window.addView(self.doc)
            background = self.doc.rootNode().childNodes()[0]
            background.setPixelData(bytes([50, 60, 70, 255]) * (64 * 48), 0, 0, 64, 48)
            self.doc.setActiveNode(background)
            selection = Selection()
            selection.select(20, 10, 12, 8, 255)
            self.doc.setSelection(selection)
            self.doc.refreshProjection()
            self.doc.waitForDone()
            docker.url.setText(URL)
            docker.prompt.setPlainText("smoke")
            docker.seed.setValue(7)
            docker.steps.setValue(4)
            action = app.action("diffusej_inpaint")
            if action is None:
                return self.finish("FAIL: action diffusej_inpaint not registered")
            action.trigger()
            self.deadline = time.time() + TIMEOUT_S
            self.timer = QTimer()
            self.timer.timeout.connect(self.poll)
            self.timer.start(200)
        except Exception:
            self.finish("FAIL\n" + traceback.format_exc())

    def poll(self):
        try:
            from diffusej_krita.docker import active_docker
            names = [n.name() for n in self.doc.rootNode().childNodes()]
            status = active_docker().status.text()
            if any(n.startswith("DiffuseJ 7") for n in names):
                self.timer.stop()
                layer = [n for n in self.doc.rootNode().childNodes() if n.name().startswith("DiffuseJ 7")][0]
                inside = bytes(layer.pixelData(23, 13, 1, 1))
                outside = bytes(layer.pixelData(63, 47, 1, 1))
                if inside[3] == 255 and outside[3] == 0 and inside[:3] != bytes([50, 60, 70]):
                    self.finish("PASS layers=%s status=%r" % (names, status))
                else:
                    self.finish("FAIL pixels inside=%s outside=%s" % (list(inside), list(outside)))
            elif time.time() > self.deadline or status.startswith(("Cannot", "The bridge", "Unexpected")):
                self.timer.stop()
                self.finish("FAIL: no result layer; layers=%s; docker status=%r" % (names, status))
        except Exception:
            self.timer.stop()
            self.finish("FAIL\n" + traceback.format_exc())

    def finish(self, outcome):
        if RESULT:
            with open(RESULT, "w", encoding="utf-8") as f:
                f.write(outcome)
        QTimer.singleShot(500, quit_krita)


def quit_krita():
    """file_quit waits on a question for modified documents: close them unmodified first."""
    app = Krita.instance()
    for d in app.documents():
        d.setModified(False)
        d.close()
    app.action("file_quit").trigger()


if RESULT:
    Krita.instance().addExtension(SmokeTest(Krita.instance()))
