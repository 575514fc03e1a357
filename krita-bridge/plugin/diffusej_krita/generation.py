"""What Generate / Inpaint / Refine do, without Qt: read the region from a document, build the request, follow the
job through the client, and place each result as a new layer. `krita` is not imported here; documents come from
`document.py` (or a test double with the same methods)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import imaging, resample
from .client import BridgeClient, ClientMessage
from .imaging import Rect, RgbaImage

MODES = ("generate", "inpaint", "refine")
# Sampler names come only from the server (/sdapi/v1/samplers): the docker spells none out.
NO_SAMPLERS = "Samplers appear when the server answers"


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
    sampler: str = ""  # a name from the server's list; empty: the server's default
    cfg_scale: float = 7.0
    batch_size: int = 1
    padding: int = 32
    use_visible: bool = True
    native_size: int = 0  # the model's trained side (server health's default_size); 0 sends the region as it is


@dataclass(frozen=True)
class Scaling:
    """How a region maps onto the size the model works at, and how the selection is widened for blending there."""
    size: tuple  # the processing size (multiples of 8)
    grow: int  # pixels, at the processing size, the inpaint mask is grown by
    feather: int  # box radius, at the processing size, of the blend mask's twice-applied blur


def processing_size(width: int, height: int, native: int) -> tuple:
    """The size a width×height region is generated at: the area of native², the aspect kept, the long side at most
    2·native, each side a multiple of 8 (at least 64). Small regions are scaled up, large ones down."""
    if native <= 0:
        return imaging.round_up(width), imaging.round_up(height)
    scale = min(native / (width * height) ** 0.5, 2.0 * native / max(width, height))
    return tuple(max(64, int(round(side * scale / 8.0)) * 8) for side in (width, height))


def scaling(region: Rect, selection: Rect | None, native: int) -> Scaling:
    """Grow about 5 % and feather about 2.5 % of the selection's longer side (at least 2 and 1 px at the processing
    size): the tent-shaped feather ramps over ±2·feather around the grown edge, so the selection itself stays fully
    covered and the result fades into its surroundings."""
    size = processing_size(region.width, region.height, native)
    if selection is None:
        return Scaling(size, 0, 0)
    factor = size[0] / region.width
    side = max(selection.width, selection.height) * factor
    feather = max(1, int(round(0.025 * side)))
    return Scaling(size, max(2 * feather, int(round(0.05 * side))), feather)


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
    blend: bytes | None = None  # with `native`: the grown, feathered selection at the processing size (the alpha)
    native: bool = False  # True: results come at `size` and are scaled back to the region
    resizer: Callable = resample.resize


def prepare(document, settings: Settings, mode: str, resizer: Callable = resample.resize) -> PreparedJob:
    """Reads what the job needs from the document (call on the UI thread: Krita's API is not thread-safe). With a
    `native_size` the region is scaled to the model's size with `resizer` (RgbaImage, w, h → RgbaImage)."""
    if mode not in MODES:
        raise ValueError("mode must be one of %s" % (MODES,))
    document.check_supported()
    width, height = document.size()
    native = int(settings.native_size or 0)
    selection = document.selection_bounds()
    region, selected = _region(document, settings, mode, width, height, native)
    scale = scaling(region, imaging.clip(selection, width, height) if selected else None, native)
    size = scale.size
    alpha = document.selection_values(region) if selected else None
    payload = {
        "prompt": settings.prompt,
        "negative_prompt": settings.negative_prompt,
        "steps": int(settings.steps),
        "seed": int(settings.seed),
        "cfg_scale": float(settings.cfg_scale),
        "batch_size": int(settings.batch_size),
        "width": size[0],
        "height": size[1],
    }
    if settings.sampler:
        payload["sampler_name"] = settings.sampler
    mask = blend = None
    if alpha is not None:
        mask, blend = _masks(alpha, region, scale, native, resizer)
    if mode == "generate":
        payload["mode"] = "txt2img"
    else:
        pixels = document.pixels(region, settings.use_visible)
        pixels = resizer(pixels, *size) if native else imaging.pad_edges(pixels, *size)
        payload["init_images"] = [imaging.png_base64(size[0], size[1], pixels.data, 4)]
        payload["denoising_strength"] = float(settings.strength)
        payload["mode"] = "img2img"
        if mode == "inpaint":
            payload.update(mode="inpaint", mask=imaging.png_base64(size[0], size[1], mask, 1),
                           inpainting_fill=1, inpaint_full_res=False, mask_blur=0 if native else 4)
    return PreparedJob(mode, payload, region, alpha, settings.prompt, size=size, steps=int(settings.steps),
                       blend=blend, native=bool(native), resizer=resizer)


def _masks(alpha: bytes, region: Rect, scale: Scaling, native: int, resizer: Callable) -> tuple:
    """(inpaint mask at the processing size, blend alpha at the processing size or None without native scaling)."""
    if not native:
        return imaging.pad_plane(imaging.mask_from_selection(alpha), region.width, region.height, *scale.size), None
    w, h = scale.size
    scaled = _resize_plane(alpha, region.width, region.height, w, h, resizer)
    grown = resample.grow(imaging.mask_from_selection(scaled, 128), w, h, scale.grow)
    return grown, resample.feather(grown, w, h, scale.feather)


def _resize_plane(values: bytes, width: int, height: int, new_width: int, new_height: int, resizer: Callable) -> bytes:
    grey = bytearray(4 * width * height)
    for c in range(4):
        grey[c::4] = values
    return resizer(RgbaImage(width, height, bytes(grey)), new_width, new_height).data[3::4]


def _region(document, settings: Settings, mode: str, width: int, height: int, native: int = 0) -> tuple:
    """(region of the canvas to send, whether a selection limits the result to it). With native scaling the context
    around a selection is at least a quarter of the selection's longer side, so the grown, feathered edge fits."""
    selection = document.selection_bounds()
    if mode == "inpaint" and selection is None:
        raise DocumentError("Inpaint needs a selection: select the area to repaint first.")
    if selection is None:
        region = imaging.padded_region(Rect(0, 0, width, height), 0, width, height)
    else:
        inside = imaging.clip(selection, width, height)
        if inside.is_empty():
            raise DocumentError("The selection lies wholly outside the canvas: select an area on the image.")
        padding = max(settings.padding, -(-max(inside.width, inside.height) // 4)) if native else settings.padding
        region = imaging.padded_region(inside, padding, width, height)
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
        image = _fit(image, job)
        seed = final.seeds[i] if i < len(final.seeds) else "?"
        name = layer_name(seed, job.prompt)
        previous = document.insert_layer(name, image, job.region, previous)
        names.append(name)
    job.layers.extend(names)
    return names


def _fit(image: RgbaImage, job: PreparedJob) -> RgbaImage:
    """A result as it lands on the region: scaled back (its alpha the blend mask) or cropped (its alpha the selection)."""
    if job.native:
        if job.blend is not None:
            image = imaging.with_alpha(image, job.blend)
        return job.resizer(image, job.region.width, job.region.height)
    image = imaging.crop(image, Rect(0, 0, job.region.width, job.region.height))
    return imaging.with_alpha(image, job.alpha) if job.alpha is not None else image


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
    """(names for the sampler list, index to select): the server's names in its order (none while it sent none),
    keeping the painter's current choice where the server offers it."""
    names = [n for n in (server_names or []) if isinstance(n, str) and n]
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


def model_choices(server_titles, current: str) -> tuple:
    """(titles for the model list, index of the server's current model): matched by its title, or by the title
    without the "[hash]" suffix (the hash is unknown until a model was loaded); -1 when not listed."""
    titles = [t for t in (server_titles or []) if isinstance(t, str) and t]

    def bare(t):
        return t.split(" [")[0] if t.endswith("]") else t
    for i, t in enumerate(titles):
        if t == current:
            return titles, i
    matches = [i for i, t in enumerate(titles) if current and bare(t) == bare(current)]
    return titles, matches[0] if matches else -1


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
