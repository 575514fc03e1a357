"""Registers the DiffuseJ docker and its actions with Krita (edge module)."""
from krita import DockWidgetFactory, DockWidgetFactoryBase, Extension, Krita

from .docker import DiffuseJDocker, active_docker
from .generation import MODES


class DiffuseJExtension(Extension):
    """Actions Tools > Scripts > DiffuseJ Generate / Inpaint / Refine, usable from shortcuts and scripts."""

    def setup(self):
        pass

    def createActions(self, window):
        for mode in MODES:
            action = window.createAction("diffusej_" + mode, "DiffuseJ " + mode.title(), "tools/scripts")
            action.triggered.connect(lambda _checked=False, m=mode: _trigger(m))


def _trigger(mode):
    docker = active_docker()
    if docker is not None:
        docker.trigger(mode)


def register():
    app = Krita.instance()
    app.addDockWidgetFactory(DockWidgetFactory("diffusej_docker", DockWidgetFactoryBase.DockRight, DiffuseJDocker))
    app.addExtension(DiffuseJExtension(app))
