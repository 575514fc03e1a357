"""DiffuseJ for Krita: a docker that sends the active layer and selection to the DiffuseJ bridge and inserts the
results as new paint layers. Outside Krita (unit tests) only the core modules are used and nothing registers."""
try:
    from krita import DockWidgetFactory  # noqa: F401  (only real Krita has it)
    from PyQt5.QtCore import QThread  # noqa: F401
except ImportError:
    pass
else:
    from .extension import register

    register()
