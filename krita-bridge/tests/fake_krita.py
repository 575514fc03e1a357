"""The subset of Krita's Python API the plugin's core uses, in memory: documents, nodes, selections.
Pixel bytes are BGRA like Krita's; selections are one byte per pixel. Install with `install()`."""
import sys
import types


class Selection:
    def __init__(self, width, height, rects=()):
        self._w, self._h = width, height
        self.values = bytearray(width * height)
        for (x, y, w, h, v) in rects:
            for yy in range(y, y + h):
                for xx in range(x, x + w):
                    self.values[yy * width + xx] = v
        # Krita reports the selection's extent; a select-all style extent tests that callers tighten it.
        self._extent = (0, 0, width, height)

    def x(self): return self._extent[0]
    def y(self): return self._extent[1]
    def width(self): return self._extent[2]
    def height(self): return self._extent[3]

    def pixelData(self, x, y, w, h):
        out = bytearray()
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                inside = 0 <= xx < self._w and 0 <= yy < self._h
                out.append(self.values[yy * self._w + xx] if inside else 0)
        return bytes(out)


class Node:
    def __init__(self, doc, name, kind):
        self.doc, self._name, self._type = doc, name, kind
        self.children = []
        self.parent = None
        self.data = bytearray(4 * doc.width() * doc.height())  # BGRA, transparent

    def name(self): return self._name
    def type(self): return self._type
    def parentNode(self): return self.parent
    def childNodes(self): return list(self.children)

    def addChildNode(self, child, above):
        child.parent = self
        index = self.children.index(above) + 1 if above is not None else len(self.children)
        self.children.insert(index, child)
        return True

    def pixelData(self, x, y, w, h):
        return _read(self.data, self.doc.width(), self.doc.height(), x, y, w, h)

    def setPixelData(self, data, x, y, w, h):
        data = bytes(data)
        assert len(data) == 4 * w * h, "setPixelData got %d bytes for %dx%d" % (len(data), w, h)
        W = self.doc.width()
        for yy in range(h):
            row = data[4 * yy * w:4 * (yy + 1) * w]
            start = 4 * ((y + yy) * W + x)
            self.data[start:start + 4 * w] = row
        return True


def _read(buf, W, H, x, y, w, h):
    out = bytearray()
    for yy in range(y, y + h):
        start = 4 * (yy * W + x)
        out += buf[start:start + 4 * w]
    return bytes(out)


class Document:
    def __init__(self, width, height, model="RGBA", depth="U8"):
        self._w, self._h, self._model, self._depth = width, height, model, depth
        self.root = Node(self, "root", "grouplayer")
        self.background = Node(self, "Background", "paintlayer")
        self.root.addChildNode(self.background, None)
        self.active = self.background
        self._selection = None
        self.refreshed = 0
        self.closed = False
        Krita.instance().open_documents.append(self)

    def width(self): return self._w
    def height(self): return self._h
    def colorModel(self): return self._model
    def colorDepth(self): return self._depth
    def rootNode(self): return self.root
    def activeNode(self): return self.active
    def setActiveNode(self, n): self.active = n
    def selection(self): return self._selection
    def setSelection(self, s): self._selection = s
    def createNode(self, name, kind):
        return None if self.closed else Node(self, name, kind)  # like Krita once the document is gone

    def setModified(self, modified): pass

    def close(self):
        """Like Krita's Document.close(): the Python object stays, the document is gone."""
        self.closed = True
        Krita.instance().open_documents.remove(self)
        return True
    def refreshProjection(self): self.refreshed += 1

    def pixelData(self, x, y, w, h):
        # The projection of this fake is the background layer (enough for the tests).
        return self.background.pixelData(x, y, w, h)


class Krita:
    _instance = None

    def __init__(self):
        self.open_documents = []
        self.active_document = None

    @classmethod
    def instance(cls):
        if cls._instance is None:
            cls._instance = Krita()
        return cls._instance

    def activeDocument(self): return self.active_document
    def documents(self): return list(self.open_documents)


def install():
    """Puts this fake in sys.modules as `krita` (once)."""
    module = sys.modules.get("krita")
    if module is None:
        module = types.ModuleType("krita")
        module.Krita, module.Document, module.Node, module.Selection = Krita, Document, Node, Selection
        sys.modules["krita"] = module
    return module
