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
# Shown until the server's own list (/sdapi/v1/samplers) arrives, and kept when the server cannot be reached.
FALLBACK_SAMPLERS = ("Euler a", "Euler", "DPM++ 2M", "DDIM")


class DocumentError(Exception):
    """The document cannot be used as it is (no document, no selection for inpaint, unsupported colour space)."""


class DocumentClosed(DocumentError):
    """The document a job belongs to was closed: its results have nowhere to go."""

    def __init__(self):
        super().__init__("The document was closed before the result arrived; the result was dropped.")


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
    """A request ready to send, and where its results go. The server works on `size` (the region padded at the right
    and bottom to a multiple of 8 where the canvas ends first); results are cropped back to the region."""
    mode: str
    payload: dict
    region: Rect
    alpha: bytes | None = None  # selection values over the region: results show only there
    prompt: str = ""
    layers: list = field(default_factory=list)
    size: tuple = (0, 0)
    steps: int = 0


def prepare(document, settings: Settings, mode: str) -> PreparedJob:
    """Reads what the job needs from the document (call on the UI thread: Krita's API is not thread-safe)."""
    if mode not in MODES:
        raise ValueError("mode must be one of %s" % (MODES,))
    document.check_supported()
    width, height = document.size()
    region, selected = _region(document, settings, mode, width, height)
    size = (imaging.round_up(region.width), imaging.round_up(region.height))
    alpha = document.selection_values(region) if selected else None
    payload = {
        "prompt": settings.prompt,
        "negative_prompt": settings.negative_prompt,
        "steps": int(settings.steps),
        "seed": int(settings.seed),
        "sampler_name": settings.sampler,
        "cfg_scale": float(settings.cfg_scale),
        "batch_size": int(settings.batch_size),
        "width": size[0],
        "height": size[1],
    }
    if mode == "generate":
        payload["mode"] = "txt2img"
    else:
        pixels = imaging.pad_edges(document.pixels(region, settings.use_visible), *size)
        payload["init_images"] = [imaging.png_base64(size[0], size[1], pixels.data, 4)]
        payload["denoising_strength"] = float(settings.strength)
        payload["mode"] = "img2img"
        if mode == "inpaint":
            mask = imaging.pad_plane(imaging.mask_from_selection(alpha), region.width, region.height, *size)
            payload.update(mode="inpaint", mask=imaging.png_base64(size[0], size[1], mask, 1),
                           inpainting_fill=1, inpaint_full_res=False, mask_blur=4)
    return PreparedJob(mode, payload, region, alpha, settings.prompt, size=size, steps=int(settings.steps))


def _region(document, settings: Settings, mode: str, width: int, height: int) -> tuple:
    """(region of the canvas to send, whether a selection limits the result to it)."""
    selection = document.selection_bounds()
    if mode == "inpaint" and selection is None:
        raise DocumentError("Inpaint needs a selection: select the area to repaint first.")
    if selection is None:
        region = imaging.padded_region(Rect(0, 0, width, height), 0, width, height)
    else:
        inside = imaging.clip(selection, width, height)
        if inside.is_empty():
            raise DocumentError("The selection lies wholly outside the canvas: select an area on the image.")
        region = imaging.padded_region(inside, settings.padding, width, height)
    if region.is_empty():
        raise DocumentError("The document has no pixels.")
    return region, selection is not None


def layer_name(seed, prompt: str) -> str:
    short = " ".join(prompt.split())[:40]
    return ("DiffuseJ %s" % seed) + (" – " + short if short else "")


def place_results(document, job: PreparedJob, final: ClientMessage) -> list:
    """Inserts each image of a finished (or interrupted) job as a new paint layer above the active one, in seed
    order (the last one on top). A closed document raises DocumentClosed and gets nothing."""
    if not document.is_open():
        raise DocumentClosed()
    names = []
    previous = None
    sent = job.size if job.size != (0, 0) else (job.region.width, job.region.height)
    for i, b64 in enumerate(final.images):
        image, _texts = imaging.decode_png_base64(b64)
        if (image.width, image.height) != sent:
            raise DocumentError("The server returned a %dx%d image for a %dx%d request."
                                % (image.width, image.height, sent[0], sent[1]))
        image = imaging.crop(image, Rect(0, 0, job.region.width, job.region.height))
        if job.alpha is not None:
            image = imaging.with_alpha(image, job.alpha)
        seed = final.seeds[i] if i < len(final.seeds) else "?"
        name = layer_name(seed, job.prompt)
        previous = document.insert_layer(name, image, job.region, previous)
        names.append(name)
    job.layers.extend(names)
    return names


def run(client: BridgeClient, job: PreparedJob, on_message: Callable[[ClientMessage], None],
        on_job_id: Callable[[str], None] = lambda _id: None,
        stopped: Callable[[], bool] = lambda: False) -> ClientMessage | None:
    """Sends the job and follows it to its final event (call on a worker thread: this blocks on HTTP). When
    `stopped()` turns true the job is cancelled on the server by its own id and None is returned."""
    job_id = client.enqueue(job.payload)
    on_job_id(job_id)
    final = None
    for message in client.listen(job_id, stopped=stopped):
        on_message(message)
        final = message
    if final is None or not final.is_final:
        client.cancel(job_id)
        return None
    return final


def sampler_choices(server_names, current: str) -> tuple:
    """(names for the sampler list, index to select): the server's names in its order (the fallback list when it
    sent none), keeping the painter's current choice where the server offers it."""
    names = [n for n in (server_names or []) if isinstance(n, str) and n] or list(FALLBACK_SAMPLERS)
    return names, names.index(current) if current in names else 0


def lora_choices(server_names) -> list:
    """The LoRA picker's names: the server's (/sdapi/v1/loras), without blanks and repeats, sorted case-insensitively."""
    names = {n for n in (server_names or []) if isinstance(n, str) and n.strip()}
    return sorted(names, key=lambda n: (n.lower(), n))


def insert_lora(prompt: str, name: str, multiplier: float = 1.0) -> str:
    """The prompt with `<lora:name:multiplier>` appended (after a space), or unchanged when it names that LoRA
    already (the painter edits the multiplier in the prompt) or no LoRA is chosen."""
    name = (name or "").strip()
    if not name or ("<lora:%s:" % name) in prompt:
        return prompt
    tag = "<lora:%s:%s>" % (name, ("%.2f" % multiplier).rstrip("0").rstrip(".") if multiplier != 1.0 else "1.0")
    return prompt + ("" if not prompt or prompt[-1].isspace() else " ") + tag


def progress_text(message: ClientMessage, steps: int) -> str:
    """The status line for a queued or progress event. `steps` is what the painter asked for; the server reports
    the steps that really run (img2img and inpaint run about strength × steps), and the line says so."""
    if message.event == "queued":
        return "Queued."
    if not message.total or not message.step:
        return "Starting..."
    text = "Step %d of %d" % (message.step, message.total)
    if steps and message.total < steps:
        text += " (the strength leaves %d of the %d steps to run)" % (message.total, steps)
    return text
