"""The DiffuseJ docker (edge module: Qt widgets + krita): model, prompt and settings, Generate / Inpaint / Refine,
progress, Cancel, and the history of results (apply one again). Pixels are read and layers inserted on the UI thread; HTTP runs in worker threads."""
from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                             QPlainTextEdit, QProgressBar, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget)
from krita import DockWidget, Krita

from . import generation, inpaint_modes, qtimage
from .client import DEFAULT_URL, BridgeClient, ClientError, normalise_url
from .document import Document
from .generation import DocumentError, Settings
from .history import History
from .session import JobSession, thumbnail_size
from .worker import CallWorker, JobWorker, Workers

SETTINGS_GROUP = "DiffuseJ"
PREVIEW_SIDE = 160  # the live preview thumbnail's long side, in pixels
DOCKERS = []  # live dockers, so the extension's actions can reach one


def active_docker():
    return DOCKERS[-1] if DOCKERS else None


class DiffuseJDocker(DockWidget):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("DiffuseJ")
        self._worker = None
        self._session = None
        self._native_size = 0
        self.history = History()
        self._build()
        Krita.instance().notifier().imageClosed.connect(self._on_image_closed)
        self.refresh_server()
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
        self.model = QComboBox()
        self.model.setToolTip("The server's models (/sdapi/v1/sd-models); choosing one switches the server to it.")
        self.model.activated.connect(self._on_model_chosen)
        self.strength = QDoubleSpinBox()
        self.strength.setRange(0.0, 1.0)
        self.strength.setSingleStep(0.05)
        self.strength_slider = QSlider(Qt.Horizontal)
        self.strength_slider.setRange(0, 100)
        self.strength.valueChanged.connect(lambda v: self.strength_slider.setValue(int(round(100 * v))))
        self.strength_slider.valueChanged.connect(lambda v: self.strength.setValue(v / 100.0))
        self.strength.setValue(0.75)
        strength_row = QHBoxLayout()
        strength_row.addWidget(self.strength_slider, 1)
        strength_row.addWidget(self.strength)
        self.cfg = QDoubleSpinBox()
        self.cfg.setRange(0.0, 30.0)
        self.cfg.setSingleStep(0.5)
        self.cfg.setValue(7.0)
        self.cfg.setToolTip("How closely to follow the prompt (CFG scale); 1 or less for SD-Turbo / LCM models.")
        self.steps = QSpinBox()
        self.steps.setRange(1, 150)
        self.steps.setValue(20)
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2147483647)
        self.seed.setValue(-1)
        self.seed.setSpecialValueText("random")
        self.sampler = QComboBox()
        self.sampler.setEditable(True)
        self._show_samplers([])
        self.lora = QComboBox()
        self.lora.setToolTip("LoRAs in the server's LoRA folder; Add puts <lora:name:strength> into the prompt")
        self.lora_strength = QDoubleSpinBox()
        self.lora_strength.setRange(-2.0, 3.0)
        self.lora_strength.setSingleStep(0.05)
        self.lora_strength.setValue(0.8)
        self.lora_strength.setToolTip("The LoRA's strength; Add again with another value changes it in the prompt")
        self.add_lora = QPushButton("Add")
        self.add_lora.clicked.connect(self.insert_lora)
        lora_row = QHBoxLayout()
        lora_row.addWidget(self.lora, 1)
        lora_row.addWidget(self.lora_strength)
        lora_row.addWidget(self.add_lora)
        self.inpaint_mode = QComboBox()
        for m in inpaint_modes.MODES:
            self.inpaint_mode.addItem(m.label, m.key)
        self.inpaint_mode.setToolTip("What Inpaint does with the selection; all but Repaint denoise fully")
        self.size = QSpinBox()
        self.size.setRange(0, 2048)
        self.size.setSingleStep(64)
        self.size.setSpecialValueText("model's own")
        self.size.setToolTip("The side the model works at; its own (from the server) unless set here, e.g. smaller "
                             "where memory is short.")
        self.batch = QSpinBox()
        self.batch.setRange(1, 8)
        self.visible = QCheckBox("Use the visible image (else the active layer)")
        self.visible.setChecked(True)
        self.tiled = QCheckBox("Refine large areas in tiles at the model's size (else scaled down)")
        self.tiled.setChecked(True)
        self.tiled.setToolTip("Areas above twice the model's size are refined in overlapping tiles at full "
                              "resolution (one job per tile, slower); off: scaled down to the model's size and back")
        for label, widget in (("Model", self.model), ("Prompt", self.prompt), ("Negative", self.negative),
                              ("Strength", strength_row), ("CFG", self.cfg),
                              ("Steps", self.steps), ("Seed", self.seed), ("Sampler", self.sampler), ("LoRA", lora_row),
                              ("Inpaint", self.inpaint_mode),
                              ("Size", self.size), ("Images", self.batch), ("Server", self.url), ("User", self.user),
                              ("Password", self.password)):
            form.addRow(label, widget)
        self.url.editingFinished.connect(self.refresh_server)
        layout.addLayout(form)
        layout.addWidget(self.visible)
        layout.addWidget(self.tiled)
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
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setToolTip("The image so far (servers started with --taesd send previews)")
        self.preview.hide()
        self._preview_png = None
        layout.addWidget(self.preview)
        history_row = QHBoxLayout()
        self.history_list = QComboBox()
        self.history_list.setToolTip("The last results with their seeds")
        self.apply_button = QPushButton("Apply again")
        self.apply_button.setToolTip("Adds the chosen result as a new layer where it was made")
        self.apply_button.clicked.connect(self.apply_history)
        history_row.addWidget(self.history_list, 1)
        history_row.addWidget(self.apply_button)
        layout.addWidget(QLabel("History"))
        layout.addLayout(history_row)
        layout.addStretch(1)
        self.setWidget(root)

    def canvasChanged(self, canvas):
        pass

    def settings(self) -> Settings:
        return Settings(prompt=self.prompt.toPlainText(), negative_prompt=self.negative.text(),
                        strength=self.strength.value(), steps=self.steps.value(), seed=self.seed.value(),
                        sampler=self.sampler.currentText(), cfg_scale=self.cfg.value(), batch_size=self.batch.value(),
                        use_visible=self.visible.isChecked(), inpaint_mode=self.inpaint_mode.currentData(),
                        tiled=self.tiled.isChecked(),
                        native_size=generation.native_size(self.size.value(), self._native_size))

    def client(self) -> BridgeClient:
        """A client for the URL in the field (normalised there: `127.0.0.1:7860` gets its `http://`)."""
        url = normalise_url(self.url.text())
        if url != self.url.text():
            self.url.setText(url)
        return BridgeClient(url, self.user.text(), self.password.text())

    def _running(self) -> bool:
        return self._session is not None and self._session.running

    def _show(self):
        running = self._running()
        for button in self.buttons.values():
            button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if self._session is not None:
            self.progress.setValue(self._session.percent)
            self.status.setText(self._session.status)
            self._show_preview(self._session.preview)
        labels = self.history.labels()
        if labels != [self.history_list.itemText(i) for i in range(self.history_list.count())]:
            self.history_list.clear()
            self.history_list.addItems(labels)
        self.apply_button.setEnabled(bool(labels))

    def _show_preview(self, png):
        """The live preview thumbnail while a job sends previews; hidden otherwise."""
        if png is self._preview_png:
            return
        self._preview_png = png
        pixmap = QPixmap()
        if png is None or not pixmap.loadFromData(png, "PNG"):
            self.preview.clear()
            self.preview.hide()
            return
        w, h = thumbnail_size(pixmap.width(), pixmap.height(), PREVIEW_SIDE)
        self.preview.setPixmap(pixmap.scaled(w, h, Qt.IgnoreAspectRatio, Qt.SmoothTransformation))
        self.preview.show()

    def _refuse(self, text: str):
        self.progress.setValue(0)
        self.status.setText(text)

    # -- actions ----------------------------------------------------------------------------------------------------

    def trigger(self, mode: str):
        """Generate / Inpaint / Refine: read the document here (UI thread), send from a worker thread."""
        if self._running():
            self.status.setText("A job is already running; cancel it first.")
            return
        try:
            client = self.client()
        except ClientError as e:
            return self._refuse(str(e))
        Krita.instance().writeSetting(SETTINGS_GROUP, "url", client.url)
        Krita.instance().writeSetting(SETTINGS_GROUP, "user", self.user.text())
        document = Document.active()
        try:
            job = generation.prepare(document, self.settings(), mode, resizer=qtimage.resize)
        except DocumentError as e:
            return self._refuse(str(e))
        self._session = JobSession(job, document, self.history)
        self._worker = JobWorker(client, job)
        self._worker.job_started.connect(self._on_job_id)
        self._worker.message.connect(self._on_message)
        self._worker.failed.connect(self._on_failed)
        Workers.start(self._worker)
        self._show()

    def cancel(self):
        """Cancels our job on the server by its own id (never the global interrupt, which may stop another
        client's job); its partial result still arrives as an interrupted event."""
        if self._session is None:
            return
        self._cancel_on_server(self._session.cancel())
        self._show()

    def _cancel_on_server(self, job_id):
        if job_id is None:
            return
        client = self.client()
        worker = CallWorker(lambda: client.cancel(job_id))
        worker.failed.connect(lambda text: self.status.setText("Cancel failed: " + text))
        Workers.start(worker)

    def refresh_server(self):
        """Asks the server for its models, samplers, LoRAs and the model's native size; the lists stay as they are when the
        server is not reachable."""
        try:
            client = self.client()
        except ClientError:
            return
        worker = CallWorker(client.server_info)
        worker.done.connect(self._on_server_info)
        Workers.start(worker)
        loras = CallWorker(client.loras)
        loras.done.connect(self._on_loras)
        Workers.start(loras)

    def apply_history(self):
        """Adds the chosen history result again as a new layer, in the document and region it was made for."""
        try:
            names = self.history.apply(self.history_list.currentIndex())
        except (DocumentError, IndexError) as e:
            return self._refuse(str(e))
        self.status.setText("Applied again: " + ", ".join(names))

    def _on_model_chosen(self, index: int):
        title = self.model.itemText(index)
        try:
            client = self.client()
        except ClientError as e:
            return self._refuse(str(e))
        self.status.setText("Switching the server to %s..." % title)
        worker = CallWorker(lambda: client.select_model(title))
        worker.done.connect(lambda _none: (self.status.setText("Model: %s" % title), self.refresh_server()))
        worker.failed.connect(lambda text: (self.status.setText("Switching the model failed: " + text),
                                            self.refresh_server()))
        Workers.start(worker)

    def insert_lora(self):
        """Add: the chosen LoRA's tag goes at the end of the prompt at the strength beside it (or gets that strength)."""
        self.prompt.setPlainText(generation.insert_lora(self.prompt.toPlainText(), self.lora.currentText(),
                                                        self.lora_strength.value()))

    def _on_image_closed(self, _file_name):
        QTimer.singleShot(0, self._check_document)  # once Krita has let go of the document

    def _check_document(self):
        """The job's document was closed: the worker cancels the job by its id and stops; nothing is placed."""
        if self._session is not None and self._session.document_closed():
            self._worker.stop()
            self._show()

    # -- worker signals (UI thread) ---------------------------------------------------------------------------------

    def _on_server_info(self, info):
        self._native_size = info.get("default_size") or 0
        titles, index = generation.model_choices(info.get("models"), info.get("model", ""))
        self.model.clear()
        self.model.addItems(titles)
        self.model.setCurrentIndex(index)
        current = self.sampler.currentText()
        choices, index = generation.sampler_choices(info.get("samplers"), current)
        self._show_samplers(choices, index)

    def _show_samplers(self, choices, index=0):
        """The server's sampler names; while there are none the list is empty and disabled, and says why."""
        self.sampler.clear()
        self.sampler.addItems(choices)
        self.sampler.setEnabled(bool(choices))
        self.sampler.setToolTip("" if choices else generation.NO_SAMPLERS)
        self.sampler.lineEdit().setPlaceholderText("" if choices else generation.NO_SAMPLERS)
        if choices:
            self.sampler.setCurrentIndex(index)

    def _on_loras(self, names):
        current = self.lora.currentText()
        choices = generation.lora_choices(names)
        self.lora.clear()
        self.lora.addItems(choices)
        self.add_lora.setEnabled(bool(choices))
        if current in choices:
            self.lora.setCurrentIndex(choices.index(current))

    def _on_job_id(self, job_id: str):
        if self._session is not None and self._session.started(job_id):
            self._cancel_on_server(job_id)

    def _on_message(self, message):
        if self._session is None:
            return
        self._check_document()
        self._session.on_message(message)
        self._show()

    def _on_failed(self, text: str):
        if self._session is not None:
            self._session.on_failure(text)
            self._show()
        else:
            self.status.setText(text)
