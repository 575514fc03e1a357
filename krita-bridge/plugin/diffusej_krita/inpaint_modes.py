"""Inpaint modes as in Krita AI Diffusion (fill, expand, add content, remove content, replace background), mapped onto
the bridge's A1111 inpaint fields, without Qt or krita: which area is repainted, what it starts from
(`inpainting_fill` 0 fill / 1 original / 2 latent noise / 3 latent nothing), the strength, the mask inversion and the
prompt."""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import imaging
from .errors import DocumentError
from .imaging import Rect

LORA_TAG = re.compile(r"<lora:[^<>]*>")
TRANSPARENT = 128  # alpha below this counts as empty canvas for Expand


@dataclass(frozen=True)
class InpaintMode:
    """One entry of the docker's inpaint mode list."""
    key: str
    label: str
    fill: int  # A1111 inpainting_fill
    strength: float | None  # None: the painter's Strength; else the mode's own
    invert: bool = False  # the selection marks what to keep (the subject); everything else is repainted
    transparent: bool = False  # empty (transparent) canvas joins the area to repaint
    remove: bool = False  # the prompt names what to remove: it becomes the negative prompt


MODES = (
    InpaintMode("repaint", "Repaint (keeps the original, at Strength)", 1, None),
    InpaintMode("fill", "Fill (content from the surroundings)", 0, 1.0),
    InpaintMode("expand", "Expand (into transparent canvas)", 0, 1.0, transparent=True),
    InpaintMode("add", "Add content (the prompt, new)", 2, 1.0),
    InpaintMode("remove", "Remove content (fill with background)", 0, 1.0, remove=True),
    InpaintMode("replace_background", "Replace background (select the subject)", 2, 1.0, invert=True),
)
DEFAULT = "repaint"


def mode(key: str) -> InpaintMode:
    for m in MODES:
        if m.key == key:
            return m
    raise ValueError("unknown inpaint mode %r; one of %s" % (key, ", ".join(m.key for m in MODES)))


def prompts(m: InpaintMode, prompt: str, negative: str) -> tuple:
    """(prompt, negative prompt) to send. Remove: the prompt's words (what to remove) go to the negative prompt and
    the prompt keeps only its LoRA tags, so the model paints plain background there."""
    if not m.remove:
        return prompt, negative
    tags = LORA_TAG.findall(prompt)
    words = " ".join(LORA_TAG.sub(" ", prompt).split())
    negative = ", ".join(p for p in (words, negative.strip()) if p)
    return " ".join(tags), negative


class Area:
    """What an inpaint repaints, as a selection: bounds (or None) and values (0..255 per pixel) over any region."""

    def __init__(self, bounds: Rect | None, values):
        self.bounds, self.values = bounds, values


def area(m: InpaintMode, document, width: int, height: int, use_visible: bool) -> Area:
    """The area mode `m` repaints in `document`: the selection; for Expand the selection plus the transparent canvas
    (all of it without a selection); for Replace background everything but the selection. Refusals say what to do."""
    selection = document.selection_bounds()
    if m.invert:
        if selection is None:
            raise DocumentError("Replace background needs the subject selected: select what to keep first.")
        whole = Rect(0, 0, width, height)
        outside = inverted(document.selection_values(whole))
        bounds = imaging.selection_bounds(outside, width, height)
        if bounds is None:
            raise DocumentError("The selection covers the whole image: there is no background to replace.")
        return Area(bounds, lambda r: imaging.crop_plane(outside, width, r))
    if not m.transparent:
        return Area(selection, document.selection_values)
    alpha = document.pixels(Rect(0, 0, width, height), use_visible).data[3::4]
    empty = alpha.translate(bytes(255 if v < TRANSPARENT else 0 for v in range(256)))
    if selection is None:
        bounds = imaging.selection_bounds(empty, width, height)
        if bounds is None:
            raise DocumentError("Expand fills transparent canvas, and this image has none: enlarge the canvas first "
                        "(Image > Resize Canvas), or select the area to fill.")
        return Area(bounds, lambda r: imaging.crop_plane(empty, width, r))

    def values(r: Rect) -> bytes:
        return bytes(map(max, document.selection_values(r), imaging.crop_plane(empty, width, r)))
    return Area(selection, values)


def inverted(values: bytes) -> bytes:
    """255 - v for every byte (a mask's complement)."""
    return bytes(values).translate(bytes(range(255, -1, -1)))
