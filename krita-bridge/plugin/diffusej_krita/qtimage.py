"""Qt's smooth scaling for RgbaImage (edge module: PyQt5). Inside Krita it replaces the pure-Python resampler, which is
too slow for whole canvases; the result is the same size and channel order."""
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QImage

from .imaging import RgbaImage


def resize(image: RgbaImage, width: int, height: int) -> RgbaImage:
    """`image` scaled to width×height with Qt's smooth transformation (straight, not premultiplied, RGBA out)."""
    if (image.width, image.height) == (width, height):
        return image
    source = QImage(image.data, image.width, image.height, 4 * image.width, QImage.Format_RGBA8888)
    scaled = source.scaled(width, height, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
    scaled = scaled.convertToFormat(QImage.Format_RGBA8888)
    stride = scaled.bytesPerLine()
    bits = scaled.constBits()
    bits.setsize(stride * height)
    raw = bytes(bits)
    data = b"".join(raw[y * stride:y * stride + 4 * width] for y in range(height))
    return RgbaImage(width, height, data)
