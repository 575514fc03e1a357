"""The DiffuseJ docker (edge module: Qt widgets + krita): prompt and settings, Generate / Inpaint / Refine, progress,
Cancel. Pixels are read and layers inserted on the UI thread; HTTP runs in worker threads."""
from PyQt5.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                             QPlainTextEdit, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)
from krita import DockWidget, Krita

from . import generation
from .client import DEFAULT_URL, BridgeClient
from .document import Document
from .generation import DocumentError, Settings
from .worker import CallWorker, JobWorker

SAMPLERS = ("Euler a", "Euler", "DPM++ 2M", "DPM++ 2M Karras", "DDIM", "PLMS", "LCM")
SETTINGS_GROUP = "DiffuseJ"
DOCKERS = []  # live dockers, so the extension's actions can reach one


def active_docker():
    return DOCKERS[-1] if DOCKERS else None


class DiffuseJDocker(DockWidget):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("DiffuseJ")
        self._worker = None
        self._calls = []
        self._job = None
        self._job_id = None
        self._running = False
        self._last_event = None
        self._cancel_pending = False
        self._document = Document()
        self._build()
        DOCKERS.append(self)

    # -- UI ---------------------------------------------------------------------------------------------------------

    def _build(self):
        app = Krita.instance()
        root = QWidget(self)
        layout = QVBoxLayout(root)
        form = QFormLayout()
        self.url = QLineEdit(app.readSetting(SETTINGS_GROUP, "url", DEFAULT_URL))
        self.user = QLineEdit(app.readSetting(SETTINGS_GROUP, "user", ""))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("What to paint, e.g. a red wooden door")
        self.prompt.setMaximumHeight(80)
        self.negative = QLineEdit()
        self.negative.setPlaceholderText("What to avoid")
        self.strength = QDoubleSpinBox()
        self.strength.setRange(0.0, 1.0)
        self.strength.setSingleStep(0.05)
        self.strength.setValue(0.75)
        self.steps = QSpinBox()
        self.steps.setRange(1, 150)
        self.steps.setValue(20)
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2147483647)
        self.seed.setValue(-1)
        self.seed.setSpecialValueText("random")
        self.sampler = QComboBox()
        self.sampler.setEditable(True)
        self.sampler.addItems(SAMPLERS)
        self.batch = QSpinBox()
        self.batch.setRange(1, 8)
        self.visible = QCheckBox("Use the visible image (else the active layer)")
        self.visible.setChecked(True)
        for label, widget in (("Prompt", self.prompt), ("Negative", self.negative), ("Strength", self.strength),
                              ("Steps", self.steps), ("Seed", self.seed), ("Sampler", self.sampler),
                              ("Images", self.batch), ("Server", self.url), ("User", self.user),
                              ("Password", self.password)):
            form.addRow(label, widget)
        layout.addLayout(form)
        layout.addWidget(self.visible)
        buttons = QHBoxLayout()
        self.buttons = {}
        for mode, text in (("generate", "Generate"), ("inpaint", "Inpaint"), ("refine", "Refine")):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, m=mode: self.trigger(m))
            buttons.addWidget(button)
            self.buttons[mode] = button
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        self.status = QLabel("Ready.")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.setWidget(root)

    def canvasChanged(self, canvas):
        pass

    def settings(self) -> Settings:
        return Settings(prompt=self.prompt.toPlainText(), negative_prompt=self.negative.text(),
                        strength=self.strength.value(), steps=self.steps.value(), seed=self.seed.value(),
                        sampler=self.sampler.currentText(), batch_size=self.batch.value(),
                        use_visible=self.visible.isChecked())

    def client(self) -> BridgeClient:
        return BridgeClient(self.url.text().strip(), self.user.text(), self.password.text())

    def _set_busy(self, busy: bool):
        self._running = busy
        for button in self.buttons.values():
            button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    # -- actions ----------------------------------------------------------------------------------------------------

    def trigger(self, mode: str):
        """Generate / Inpaint / Refine: read the document here (UI thread), send from a worker thread."""
        if self._running:
            self.status.setText("A job is already running; cancel it first.")
            return
        Krita.instance().writeSetting(SETTINGS_GROUP, "url", self.url.text().strip())
        Krita.instance().writeSetting(SETTINGS_GROUP, "user", self.user.text())
        self._document = Document.active()
        try:
            self._job = generation.prepare(self._document, self.settings(), mode)
        except DocumentError as e:
            self.status.setText(str(e))
            return
        self._job_id = None
        self._last_event = None
        self._cancel_pending = False
        self._set_busy(True)
        self.progress.setValue(0)
        self.status.setText("Sending %s (%dx%d)..." % (mode, self._job.region.width, self._job.region.height))
        self._worker = JobWorker(self.client(), self._job, self)
        self._worker.job_started.connect(self._on_job_id)
        self._worker.message.connect(self._on_message)
        self._worker.failed.connect(self._on_failed)
        self._worker.start()

    def cancel(self):
        """Stops our running job (/sdapi/v1/interrupt: it is the one running) or drops it while it waits."""
        if not self._running:
            return
        self.status.setText("Cancelling...")
        if self._job_id is None:
            self._cancel_pending = True  # enqueue has not answered yet: cancel as soon as it does
            return
        client, job_id = self.client(), self._job_id
        call = client.interrupt if self._last_event == "progress" else (lambda: client.cancel(job_id))
        worker = CallWorker(call, self)
        worker.failed.connect(self._on_failed)
        self._calls = [w for w in self._calls if w.isRunning()] + [worker]
        worker.start()

    # -- worker signals (UI thread) ---------------------------------------------------------------------------------

    def _on_job_id(self, job_id: str):
        self._job_id = job_id
        if self._cancel_pending:
            self._cancel_pending = False
            self.cancel()

    def _on_message(self, message):
        self._last_event = message.event
        self.progress.setValue(int(round(100 * message.progress)))
        if message.event == "queued":
            self.status.setText("Queued.")
        elif message.event == "progress":
            self.status.setText("Step %d of %d" % (message.step, message.total) if message.total else "Starting...")
        elif message.event == "error":
            self._set_busy(False)
            self.status.setText("The bridge reported an error: %s" % message.message)
        elif message.event in ("finished", "interrupted"):
            self._set_busy(False)
            try:
                names = generation.place_results(self._document, self._job, message)
            except DocumentError as e:
                self.status.setText(str(e))
                return
            verb = "Done" if message.event == "finished" else "Interrupted"
            self.status.setText("%s: added %d layer(s)%s" % (verb, len(names), (": " + ", ".join(names)) if names else "."))

    def _on_failed(self, text: str):
        self._set_busy(False)
        self.status.setText(text)
