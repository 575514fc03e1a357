"""What Generate / Inpaint / Refine do, without Qt: read the region from a document, build the request, follow the
job through the client, and place each result as a new layer. `krita` is not imported here; documents come from
`document.py` (or a test double with the same methods)."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Callable

from . import imaging, inpaint_modes, resample, tiles
from .client import BridgeClient, ClientMessage
from .errors import DocumentClosed, DocumentError  # noqa: F401 (re-exported: callers catch them from here)
from .imaging import Rect, RgbaImage

MODES = ("generate", "inpaint", "refine")
# Sampler names come only from the server (/sdapi/v1/samplers): the docker spells none out.
NO_SAMPLERS = "Samplers appear when the server answers"


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
    inpaint_mode: str = inpaint_modes.DEFAULT  # a key of inpaint_modes.MODES
    tiled: bool = True  # Refine of a region above tiles.TILE_AREA × native²: tiles at the native size (else scaled down)


@dataclass(frozen=True)
class Scaling:
    """How a region maps onto the size the model works at, and how the selection is widened for blending there."""
    size: tuple  # the processing size (multiples of 8)
    grow: int  # pixels, at the processing size, the inpaint mask is grown by
    feather: int  # box radius, at the processing size, of the blend mask's twice-applied blur


FALLBACK_NATIVE_SIZE = 512  # until the server says its model's size (SD 1.x's)


def native_size(override: int, server_default: int) -> int:
    """The side regions are generated at: the docker's Size when set, else the server's `default_size` for its model
    (/diffusej/v1/health: 1024 SDXL, 768 SD 2.x v-prediction, 512 SD 1.x / SD 2.x base / Turbo), else 512."""
    return int(override or 0) or int(server_default or 0) or FALLBACK_NATIVE_SIZE


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
    return widened(size, size[0] / region.width, selection)


def widened(size: tuple, factor: float, selection: Rect | None) -> Scaling:
    """Scaling at `size`, `factor` × the region's pixels, with the selection's grow and feather (none without one)."""
    if selection is None:
        return Scaling(size, 0, 0)
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
    tiles: list = field(default_factory=list)  # rows of (Rect in the region, payload): refined tile by tile
    blend_later: Callable | None = None  # computes `blend` in `run` (worker thread) instead of on the UI thread


def prepare(document, settings: Settings, mode: str, resizer: Callable = resample.resize) -> PreparedJob:
    """Reads what the job needs from the document (call on the UI thread: Krita's API is not thread-safe). With a
    `native_size` the region is scaled to the model's size with `resizer` (RgbaImage, w, h → RgbaImage)."""
    if mode not in MODES:
        raise ValueError("mode must be one of %s" % (MODES,))
    document.check_supported()
    width, height = document.size()
    native = int(settings.native_size or 0)
    inpaint = inpaint_modes.mode(settings.inpaint_mode) if mode == "inpaint" else None
    if inpaint is not None:
        area = inpaint_modes.area(inpaint, document, width, height, settings.use_visible)
        prompt, negative = inpaint_modes.prompts(inpaint, settings.prompt, settings.negative_prompt)
    else:
        area = inpaint_modes.Area(document.selection_bounds(), document.selection_values)
        prompt, negative = settings.prompt, settings.negative_prompt
    region, selected = _region(area.bounds, settings, mode, width, height, native)
    if mode == "refine" and settings.tiled and tiles.needs_tiles(region.width, region.height, native):
        return _prepare_tiles(document, settings, region, area if selected else None, native, resizer)
    scale = scaling(region, imaging.clip(area.bounds, width, height) if selected else None, native)
    size = scale.size
    alpha = area.values(region) if selected else None
    payload = {
        "prompt": prompt,
        "negative_prompt": negative,
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
        edges = (region.x == 0, region.y == 0, region.right == width, region.bottom == height)
        mask, blend = _masks(alpha, region, scale, native, resizer, edges)
    if mode == "generate":
        payload["mode"] = "txt2img"
    else:
        pixels = document.pixels(region, settings.use_visible)
        pixels = resizer(pixels, *size) if native else imaging.pad_edges(pixels, *size)
        payload["init_images"] = [imaging.png_base64(size[0], size[1], pixels.data, 4)]
        payload["denoising_strength"] = float(settings.strength)
        payload["mode"] = "img2img"
        if inpaint is not None:
            # The docker crops the context itself (inpaint_full_res off). Replace background sends the subject and
            # lets the server invert it (inpainting_mask_invert), so the mask it gets is the area to repaint.
            sent = inpaint_modes.inverted(mask) if inpaint.invert else mask
            payload.update(mode="inpaint", mask=imaging.png_base64(size[0], size[1], sent, 1),
                           inpainting_fill=inpaint.fill, inpainting_mask_invert=int(inpaint.invert),
                           inpaint_full_res=False, mask_blur=0 if native else 4)
            if inpaint.strength is not None:
                payload["denoising_strength"] = inpaint.strength
    return PreparedJob(mode, payload, region, alpha, settings.prompt, size=size, steps=int(settings.steps),
                       blend=blend, native=bool(native), resizer=resizer)


def _prepare_tiles(document, settings: Settings, region: Rect, area, native: int, resizer: Callable) -> PreparedJob:
    """Refine in overlapping tiles of native² at the canvas's own resolution (a quarter tile of overlap): one request
    per tile, all with one seed; the results are composed with cross-faded seams (tiles.compose) and land through the
    selection grown and feathered at the canvas's resolution."""
    seed = int(settings.seed) if int(settings.seed) >= 0 else random.randrange(2 ** 31)
    pixels = document.pixels(region, settings.use_visible)
    rows = tiles.plan(region.width, region.height, native, imaging.round_up(native // 4))
    planned = []
    for row in rows:
        planned_row = []
        for rect in row:
            w, h = tiles.sent_size(rect)
            part = imaging.pad_edges(imaging.crop(pixels, rect), w, h)
            payload = {
                "mode": "img2img", "prompt": settings.prompt, "negative_prompt": settings.negative_prompt,
                "steps": int(settings.steps), "seed": seed,
                "cfg_scale": float(settings.cfg_scale), "batch_size": int(settings.batch_size), "width": w, "height": h,
                "denoising_strength": float(settings.strength), "init_images": [imaging.png_base64(w, h, part.data)]}
            if settings.sampler:  # empty: the server's default, as for one-piece jobs
                payload["sampler_name"] = settings.sampler
            planned_row.append((rect, payload))
        planned.append(planned_row)
    alpha = later = None
    if area is not None:
        alpha = area.values(region)
        canvas_w, canvas_h = document.size()
        scale = widened((region.width, region.height), 1.0, imaging.clip(area.bounds, canvas_w, canvas_h))
        edges = (region.x == 0, region.y == 0, region.right == canvas_w, region.bottom == canvas_h)

        def later():  # seconds at full resolution on big areas: on the worker thread, once the tiles are back
            return _masks(alpha, region, scale, native, resizer, edges)[1]
    return PreparedJob("refine", planned[0][0][1], region, alpha, settings.prompt, size=(region.width, region.height),
                       steps=int(settings.steps), native=True, resizer=resizer, tiles=planned, blend_later=later)


def _masks(alpha: bytes, region: Rect, scale: Scaling, native: int, resizer: Callable,
           edges: tuple = (False,) * 4) -> tuple:
    """(inpaint mask at the processing size, blend alpha at the processing size or None without native scaling).
    `edges` (left, top, right, bottom): where the region ends at the canvas border the feather continues the mask
    beyond it, so the result does not fade out at the border."""
    if not native:
        return imaging.pad_plane(imaging.mask_from_selection(alpha), region.width, region.height, *scale.size), None
    w, h = scale.size
    scaled = _resize_plane(alpha, region.width, region.height, w, h, resizer)
    grown = resample.grow(imaging.mask_from_selection(scaled, 128), w, h, scale.grow)
    if scale.feather <= 0:
        return grown, grown
    pad = 2 * scale.feather
    sides = [pad if touching else 0 for touching in edges]
    wide = imaging.extend_plane(grown, w, h, *sides)
    ww, wh = w + sides[0] + sides[2], h + sides[1] + sides[3]
    soft = resample.feather(wide, ww, wh, scale.feather)
    return grown, imaging.crop_plane(soft, ww, Rect(sides[0], sides[1], w, h))


def _resize_plane(values: bytes, width: int, height: int, new_width: int, new_height: int, resizer: Callable) -> bytes:
    if (width, height) == (new_width, new_height):
        return values
    grey = bytearray(4 * width * height)
    for c in range(4):
        grey[c::4] = values
    return resizer(RgbaImage(width, height, bytes(grey)), new_width, new_height).data[3::4]


def _region(selection: Rect | None, settings: Settings, mode: str, width: int, height: int, native: int = 0) -> tuple:
    """(region of the canvas to send, whether a selection limits the result to it). With native scaling the context
    around a selection is at least a quarter of the selection's longer side, so the grown, feathered edge fits."""
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
    `stopped()` turns true the job is cancelled on the server by its own id and None is returned. A tiled job sends
    its tiles one after another and ends with one final event holding the composed images."""
    if job.tiles:
        final = tiles.run(client, job.tiles, job.region, on_message, on_job_id, stopped)
        if final is not None and final.images and job.blend_later is not None:
            job.blend, job.blend_later = job.blend_later(), None
        if final is not None:
            on_message(final)  # as the single job's final event: the docker places the results from it
        return final
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
    """The prompt with `<lora:name:multiplier>` appended (after a space); where the prompt names that LoRA already,
    its multiplier is set instead. No LoRA chosen: unchanged."""
    name = (name or "").strip()
    if not name:
        return prompt
    tag = "<lora:%s:%s>" % (name, format_multiplier(multiplier))
    existing = re.compile(r"<lora:%s(:[^<>]*)?>" % re.escape(name))
    if existing.search(prompt):
        return existing.sub(lambda _m: tag, prompt, count=1)
    return prompt + ("" if not prompt or prompt[-1].isspace() else " ") + tag


def format_multiplier(multiplier: float) -> str:
    """0.8 → "0.8", 1 → "1.0", 0.75 → "0.75" (two decimals at most, as the picker's box shows)."""
    text = ("%.2f" % multiplier).rstrip("0")
    return text + "0" if text.endswith(".") else text


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
    part = message.part + ": " if message.part else ""
    if not message.total or not message.step:
        return part + "Starting..."
    text = part + "Step %d of %d" % (message.step, message.total)
    if steps and message.total < steps:
        text += " (the strength leaves %d of the %d steps to run)" % (message.total, steps)
    return text
