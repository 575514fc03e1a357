"""What Generate / Inpaint / Refine do, without Qt: read the region from a document, build the request, follow the
job through the client, and place each result as a new layer. `krita` is not imported here; documents come from
`document.py` (or a test double with the same methods)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import imaging
from .client import BridgeClient, ClientMessage
from .imaging import Rect, RgbaImage

MODES = ("generate", "inpaint", "refine")


class DocumentError(Exception):
    """The document cannot be used as it is (no document, no selection for inpaint, unsupported colour space)."""


@dataclass
class Settings:
    """The docker's fields."""
    prompt: str = ""
    negative_prompt: str = ""
    strength: float = 0.75
    steps: int = 20
    seed: int = -1
    sampler: str = "Euler a"
    cfg_scale: float = 7.0
    batch_size: int = 1
    padding: int = 32
    use_visible: bool = True


@dataclass
class PreparedJob:
    """A request ready to send, and where its results go."""
    mode: str
    payload: dict
    region: Rect
    alpha: bytes | None = None  # selection values over the region: results show only there
    prompt: str = ""
    layers: list = field(default_factory=list)


def prepare(document, settings: Settings, mode: str) -> PreparedJob:
    """Reads what the job needs from the document (call on the UI thread: Krita's API is not thread-safe)."""
    if mode not in MODES:
        raise ValueError("mode must be one of %s" % (MODES,))
    document.check_supported()
    width, height = document.size()
    selection = document.selection_bounds()
    if mode == "inpaint" and selection is None:
        raise DocumentError("Inpaint needs a selection: select the area to repaint first.")
    if selection is None:
        region = imaging.padded_region(Rect(0, 0, width, height), 0, width, height)
    else:
        region = imaging.padded_region(selection, settings.padding, width, height)
    if region.is_empty():
        raise DocumentError("The document is too small (at least 8×8 pixels are needed).")
    alpha = document.selection_values(region) if selection is not None else None
    payload = {
        "prompt": settings.prompt,
        "negative_prompt": settings.negative_prompt,
        "steps": int(settings.steps),
        "seed": int(settings.seed),
        "sampler_name": settings.sampler,
        "cfg_scale": float(settings.cfg_scale),
        "batch_size": int(settings.batch_size),
        "width": region.width,
        "height": region.height,
    }
    if mode == "generate":
        payload["mode"] = "txt2img"
    else:
        pixels = document.pixels(region, settings.use_visible)
        payload["init_images"] = [imaging.png_base64(region.width, region.height, pixels.data, 4)]
        payload["denoising_strength"] = float(settings.strength)
        payload["mode"] = "img2img"
        if mode == "inpaint":
            mask = imaging.mask_from_selection(alpha)
            payload.update(mode="inpaint", mask=imaging.png_base64(region.width, region.height, mask, 1),
                           inpainting_fill=1, inpaint_full_res=False, mask_blur=4)
    return PreparedJob(mode, payload, region, alpha, settings.prompt)


def layer_name(seed, prompt: str) -> str:
    short = " ".join(prompt.split())[:40]
    return ("DiffuseJ %s" % seed) + (" – " + short if short else "")


def place_results(document, job: PreparedJob, final: ClientMessage) -> list:
    """Inserts each image of a finished (or interrupted) job as a new paint layer above the active one, in seed
    order (the last one on top)."""
    names = []
    previous = None
    for i, b64 in enumerate(final.images):
        image, _texts = imaging.decode_png_base64(b64)
        if (image.width, image.height) != (job.region.width, job.region.height):
            raise DocumentError("The server returned a %dx%d image for a %dx%d region."
                                % (image.width, image.height, job.region.width, job.region.height))
        if job.alpha is not None:
            image = imaging.with_alpha(image, job.alpha)
        seed = final.seeds[i] if i < len(final.seeds) else "?"
        name = layer_name(seed, job.prompt)
        previous = document.insert_layer(name, image, job.region, previous)
        names.append(name)
    job.layers.extend(names)
    return names


def run(client: BridgeClient, job: PreparedJob, on_message: Callable[[ClientMessage], None],
        on_job_id: Callable[[str], None] = lambda _id: None) -> ClientMessage:
    """Sends the job and follows it to its final event (call on a worker thread: this blocks on HTTP)."""
    job_id = client.enqueue(job.payload)
    on_job_id(job_id)
    final = None
    for message in client.listen(job_id):
        on_message(message)
        final = message
    return final
