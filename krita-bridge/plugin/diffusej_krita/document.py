"""Krita documents as the generation core sees them (edge module: the only core-facing place that imports krita).
`Document` is the null object for "no document open"; `KritaDocument` wraps a real one."""
from __future__ import annotations

from krita import Krita

from . import imaging
from .generation import DocumentClosed, DocumentError
from .imaging import Rect, RgbaImage


class Document:
    """No document open: every read refuses with a message, so callers need no None checks."""

    def check_supported(self) -> None:
        raise DocumentError("Open or create a document first.")

    def is_open(self) -> bool:
        return False

    def size(self) -> tuple:
        return 0, 0

    def selection_bounds(self) -> Rect | None:
        return None

    def selection_values(self, region: Rect) -> bytes:
        raise DocumentError("Open or create a document first.")

    def pixels(self, region: Rect, visible: bool = True) -> RgbaImage:
        raise DocumentError("Open or create a document first.")

    def insert_layer(self, name: str, image: RgbaImage, region: Rect, above=None):
        raise DocumentClosed()

    @staticmethod
    def active() -> "Document":
        doc = Krita.instance().activeDocument()
        return KritaDocument(doc) if doc is not None else Document()


class KritaDocument(Document):
    """A Krita document: pixels as RGBA (Krita's bytes are BGRA), the selection as one byte per pixel."""

    def __init__(self, doc):
        self.doc = doc

    def check_supported(self) -> None:
        model, depth = self.doc.colorModel(), self.doc.colorDepth()
        if model != "RGBA" or depth != "U8":
            raise DocumentError("DiffuseJ works on 8-bit RGBA documents; this one is %s %s. Convert it with "
                                "Image > Convert Image Color Space (RGB/Alpha, 8-bit integer) first." % (model, depth))

    def is_open(self) -> bool:
        """False once the painter closed it (Krita keeps the Python object, but it no longer holds a document)."""
        return any(d == self.doc for d in Krita.instance().documents())

    def size(self) -> tuple:
        return self.doc.width(), self.doc.height()

    def selection_bounds(self) -> Rect | None:
        sel = self.doc.selection()
        if sel is None or sel.width() <= 0 or sel.height() <= 0:
            return None
        values = bytes(sel.pixelData(sel.x(), sel.y(), sel.width(), sel.height()))
        tight = imaging.selection_bounds(values, sel.width(), sel.height())
        return None if tight is None else Rect(sel.x() + tight.x, sel.y() + tight.y, tight.width, tight.height)

    def selection_values(self, region: Rect) -> bytes:
        sel = self.doc.selection()
        if sel is None:
            return b"\xff" * (region.width * region.height)
        return bytes(sel.pixelData(region.x, region.y, region.width, region.height))

    def _target_layer(self):
        node = self.doc.activeNode()
        while node is not None and node.type().endswith("mask"):
            node = node.parentNode()
        return node

    def pixels(self, region: Rect, visible: bool = True) -> RgbaImage:
        source = self.doc if visible else self._target_layer()
        if source is None:
            raise DocumentError("There is no active layer to read.")
        bgra = bytes(source.pixelData(region.x, region.y, region.width, region.height))
        return RgbaImage(region.width, region.height, imaging.bgra_to_rgba(bgra))

    def insert_layer(self, name: str, image: RgbaImage, region: Rect, above=None):
        """A new paint layer holding `image` at `region`, right above `above` (default: the active layer)."""
        node = self.doc.createNode(name, "paintlayer")
        if node is None:  # closed since is_open() was asked
            raise DocumentClosed()
        node.setPixelData(imaging.rgba_to_bgra(image.data), region.x, region.y, region.width, region.height)
        if above is None:
            above = self._target_layer()
        parent = above.parentNode() if above is not None else None
        if parent is None:
            parent, above = self.doc.rootNode(), None
        parent.addChildNode(node, above)
        self.doc.refreshProjection()
        return node
