"""The end-to-end scenario shared by the live-server test (fake krita) and the real-Krita tests (kritarunner):
a 64×48 grey document with a 12×8 selection, Inpaint through the real Java bridge, then checks of layers and pixels.
With KritaTestServer's test engine (model "tiny") the masked area must have the exact colour made from the seed;
with the real pipeline (a tiny random-weight model) it must be opaque and differ from the background."""
from diffusej_krita import generation
from diffusej_krita.client import BridgeClient
from diffusej_krita.document import KritaDocument
from diffusej_krita.generation import Settings

WIDTH, HEIGHT = 64, 48
SELECTION = (20, 10, 12, 8)
BACKGROUND_BGRA = bytes([50, 60, 70, 255])
SEED = 7


def engine_colour(seed):
    """Picture.colour(seed) of the test FakeEngine (org.diffusej.testing) as 8-bit RGB (Java Math.round of v*255)."""
    return tuple(int(v * 255 + 0.5) for v in ((seed % 7) / 6, (seed % 5) / 4, (seed % 3) / 2))


def prepare_document(doc):
    """Fills the background of a krita-API document (real or fake) and makes it the active node."""
    background = [n for n in doc.rootNode().childNodes() if n.type() == "paintlayer"][0]
    background.setPixelData(BACKGROUND_BGRA * (WIDTH * HEIGHT), 0, 0, WIDTH, HEIGHT)
    doc.setActiveNode(background)
    return background


def run(doc, url, check):
    """Runs Inpaint on `doc` (already holding the selection) against the bridge; `check(cond, message)` asserts."""
    background = prepare_document(doc)
    kdoc = KritaDocument(doc)
    job = generation.prepare(kdoc, Settings(prompt="e2e", seed=SEED, steps=4, batch_size=2, padding=8), "inpaint")
    events = []
    final = generation.run(BridgeClient(url), job, events.append)
    check(final is not None and final.event == "finished", "job did not finish: %r" % (events[-1:],))
    kinds = [e.event for e in events]
    check(kinds[0] == "queued" and kinds[-1] == "finished" and "progress" in kinds, "events: %s" % kinds)
    progress = [e.progress for e in events if e.event == "progress"]
    check(progress == sorted(progress), "progress not monotonic: %s" % progress)
    names = generation.place_results(kdoc, job, final)
    check(names == ["DiffuseJ 7 – e2e", "DiffuseJ 8 – e2e"], "layer names %s" % names)

    layers = [n for n in doc.rootNode().childNodes() if n.type() == "paintlayer"]
    check([n.name() for n in layers] == ["Background", "DiffuseJ 7 – e2e", "DiffuseJ 8 – e2e"],
          "layer order %s" % [n.name() for n in layers])
    test_engine = BridgeClient(url).health()["model"].startswith("tiny [")
    for layer, seed in ((layers[1], SEED), (layers[2], SEED + 1)):
        x, y = SELECTION[0] + 3, SELECTION[1] + 3
        inside = bytes(layer.pixelData(x, y, 1, 1))
        if test_engine:
            r, g, b = engine_colour(seed)
            check(inside == bytes([b, g, r, 255]), "pixel inside the selection of seed %d: %s" % (seed, list(inside)))
        else:
            check(inside[3] == 255 and inside != BACKGROUND_BGRA, "pixel inside the selection of seed %d: %s" % (seed, list(inside)))
        edge = bytes(layer.pixelData(job.region.x, job.region.y, 1, 1))
        check(edge[3] == 0, "region corner outside the selection must be transparent: %s" % list(edge))
        far = bytes(layer.pixelData(WIDTH - 1, HEIGHT - 1, 1, 1))
        check(far[3] == 0, "outside the region must stay empty: %s" % list(far))
    check(bytes(background.pixelData(SELECTION[0] + 3, SELECTION[1] + 3, 1, 1)) == BACKGROUND_BGRA,
          "the original layer must be untouched")
    return names


def run_whole_canvas_and_close(doc, url, check):
    """Inpaint of a whole canvas not a multiple of 8 (`doc` holds a select-all selection): the layer must cover it to
    the last row and column. Then the document is closed: it must count as closed and a late result must be dropped
    with DocumentClosed."""
    width, height = doc.width(), doc.height()
    background = [n for n in doc.rootNode().childNodes() if n.type() == "paintlayer"][0]
    background.setPixelData(BACKGROUND_BGRA * (width * height), 0, 0, width, height)
    doc.setActiveNode(background)
    kdoc = KritaDocument(doc)
    job = generation.prepare(kdoc, Settings(prompt="odd", seed=SEED, steps=2), "inpaint")
    check((job.region.width, job.region.height) == (width, height), "region %s" % (job.region,))
    final = generation.run(BridgeClient(url), job, lambda m: None)
    check(final.event == "finished", "odd canvas: %s %s" % (final.event, final.message))
    names = generation.place_results(kdoc, job, final)
    layer = [n for n in doc.rootNode().childNodes() if n.name() == names[0]][0]
    for x, y in ((width - 1, height - 1), (width - 1, 0), (0, height - 1)):
        check(bytes(layer.pixelData(x, y, 1, 1))[3] == 255, "edge pixel %d,%d not painted" % (x, y))
    check(kdoc.is_open(), "an open document must count as open")
    doc.setModified(False)
    doc.close()
    check(not kdoc.is_open(), "a closed document must count as closed")
    try:
        generation.place_results(kdoc, job, final)
        check(False, "a result for a closed document must be refused")
    except generation.DocumentClosed:
        pass
    return names + ["closed document refused"]


def check_qt_resizer(check):
    """Qt's smooth scaling (the docker's resizer inside Krita): sizes, a flat colour kept, a half-transparent edge
    kept straight (not premultiplied). Tolerance: 1 level."""
    from diffusej_krita import qtimage
    from diffusej_krita.imaging import RgbaImage
    flat = qtimage.resize(RgbaImage(6, 4, bytes([200, 100, 50, 255]) * 24), 97, 31)
    check((flat.width, flat.height, len(flat.data)) == (97, 31, 97 * 31 * 4), "qt resize size")
    check(all(abs(a - b) <= 1 for a, b in zip(flat.pixel(50, 15), (200, 100, 50, 255))), "qt flat %s" % (flat.pixel(50, 15),))
    half = qtimage.resize(RgbaImage(4, 4, bytes([200, 100, 50, 128]) * 16), 16, 2)
    check(all(abs(a - b) <= 1 for a, b in zip(half.pixel(8, 1), (200, 100, 50, 128))), "qt straight alpha %s" % (half.pixel(8, 1),))
    return ["qt resizer ok"]
