package org.diffusej.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's plumbing on a stand-in engine: files, parameters, bit depths, exit codes, cancel. */
class CliTest {
    @TempDir Path dir;
    private FakeEngine engine;
    private CliHarness cli;
    private Path model;

    @BeforeEach
    void setUp() throws Exception {
        engine = CliHarness.fakeEngine();
        cli = new CliHarness(dir.resolve("cache"), engine);
        model = Files.writeString(dir.resolve("model.safetensors"), "stand-in; the test loader ignores it");
    }

    private Path out(String name) { return dir.resolve("out").resolve(name); }

    private Path image(String name, int w, int h, int bits, boolean grey) throws Exception {
        Path p = dir.resolve(name);
        ImageFiles.write(p, ImageFilesTest.gradient(w, h, bits == 16 ? 65536 : 256), bits, grey, null, false);
        return p;
    }

    private static JsonObject json(Path p) throws Exception {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    @Test
    void hiresOptionsReachTheRequest() throws Exception {
        int code = cli.run("txt2img", "-m", model.toString(), "-p", "a fox", "--seed", "1", "--steps", "2", "-W", "64",
                "-H", "64", "--hires-scale", "1.5", "--hires-steps", "5", "--hires-strength", "0.4", "--hires-upscaler",
                "Lanczos", "-o", out("hires.png").toString());
        assertEquals(ExitCode.OK, code, cli.err());
        assertEquals(new Request.Hires(1.5, "Lanczos", 5, 0.4), engine.requests().get(0).hires());
        engine.requests().clear();
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", model.toString(), "-p", "a fox", "--steps", "2", "-W", "64",
                "-H", "64", "-o", out("plain.png").toString()), cli.err());
        assertEquals(null, engine.requests().get(0).hires(), "no --hires-scale: no hires pass");
        engine.requests().clear();
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", model.toString(), "-p", "a fox", "--steps", "2", "-W", "64",
                "-H", "64", "--hires-resize", "128x0", "--hires-sampler", "UniPC", "--hires-prompt", "a red fox",
                "-o", out("resize.png").toString()), cli.err());
        assertEquals(new Request.Hires(2, "Latent", 0, 0.75, 128, 0, "UniPC", null, "a red fox", ""),
                engine.requests().get(0).hires());
        assertEquals(ExitCode.INPUT, cli.run("txt2img", "-m", model.toString(), "-p", "a fox", "--hires-resize", "0x0",
                "-o", out("bad.png").toString()));
        assertTrue(cli.err().contains("--hires-resize"), cli.err());
    }

    @Test
    void txt2imgWritesPngWithParametersAndSidecar() throws Exception {
        int code = cli.run("txt2img", "-m", model.toString(), "-p", "a red fox", "--seed", "42", "--steps", "3",
                "-W", "64", "-H", "48", "--batch", "2", "-o", out("fox.png").toString());
        assertEquals(ExitCode.OK, code, cli.err());
        assertEquals(List.of(model.toAbsolutePath()), cli.loaded);
        Request r = engine.requests().get(0);
        assertEquals(Mode.TXT2IMG, r.mode());
        assertEquals(42, r.seed());
        assertEquals(64, r.width());
        for (int k = 0; k < 2; k++) {
            Path f = out(k == 0 ? "fox.png" : "fox-2.png");
            ImageFile img = ImageFiles.read(f);
            assertEquals(Picture.RAMP.draw(r, 42 + k), img.rgb());
            assertTrue(img.parameters().startsWith("a red fox\nSteps: 3") && img.parameters().contains("Seed: " + (42 + k)),
                    img.parameters());
            JsonObject side = json(OutputPlan.sidecar(f));
            assertEquals(42 + k, side.get("seed").getAsLong());
            assertEquals(img.parameters(), side.get("parameters").getAsString());
            assertEquals("abcdef0123", side.get("model_hash").getAsString());
        }
        assertTrue(cli.out().contains("fox-2.png"));
        assertTrue(engine.isClosed(), "the engine is closed at the end");
    }

    @Test
    void spacingReachesTheRequest() throws Exception {
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", model.toString(), "--seed", "1", "-W", "16", "-H", "16",
                "--spacing", "trailing", "-q", "-o", out("").toString()), cli.err());
        assertEquals("trailing", engine.requests().get(0).timestepSpacing());
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", model.toString(), "--seed", "2", "-W", "16", "-H", "16",
                "-q", "-o", out("").toString()), cli.err());
        assertEquals(null, engine.requests().get(1).timestepSpacing(), "no --spacing: the model's own");
    }

    @Test
    void jsonPrintsTheResultRecord() throws Exception {
        int code = cli.run("txt2img", "-m", model.toString(), "-p", "x", "--seed", "7", "-W", "16", "-H", "16",
                "--json", "-q", "-o", out("").toString());
        assertEquals(ExitCode.OK, code, cli.err());
        JsonObject report = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertFalse(report.get("cancelled").getAsBoolean());
        JsonObject first = report.getAsJsonArray("images").get(0).getAsJsonObject();
        assertEquals(out("txt2img-7.png").toAbsolutePath().toString(), first.get("file").getAsString());
        assertEquals("", cli.err(), "--quiet: nothing on stderr");
    }

    @Test
    void existingOutputIsKeptUnlessForce() throws Exception {
        Files.createDirectories(out(""));
        Path existing = Files.writeString(out("keep.png"), "precious");
        int code = cli.run("txt2img", "-m", model.toString(), "--seed", "1", "-W", "16", "-H", "16", "-o", existing.toString());
        assertEquals(ExitCode.INPUT, code);
        assertTrue(cli.err().contains("already exists") && cli.err().contains("--force"), cli.err());
        assertEquals("precious", Files.readString(existing));
        assertTrue(engine.requests().isEmpty(), "checked before any work");
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", model.toString(), "--seed", "1", "-W", "16", "-H", "16",
                "-o", existing.toString(), "--force"));
        assertEquals(16, ImageFiles.read(existing).rgb().width());
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        Path img = image("in.png", 16, 16, 8, false);
        String m = model.toString();
        assertEquals(ExitCode.USAGE, cli.run("txt2img", "--steps", "0", "-m", m));
        assertTrue(cli.err().contains("--steps"), cli.err());
        assertEquals(ExitCode.USAGE, cli.run("txt2img", "--no-such-option"));
        assertEquals(ExitCode.USAGE, cli.run("txt2img", "-W", "100", "-m", m));
        assertEquals(ExitCode.USAGE, cli.run("img2img", "-m", m)); // --image missing
        assertEquals(ExitCode.USAGE, cli.run("img2img", "-i", img.toString(), "--strength", "1.5", "-m", m));
        assertEquals(ExitCode.USAGE, cli.run("inpaint", "-i", img.toString(), "-m", m)); // neither --mask nor --rect
        assertEquals(ExitCode.USAGE, cli.run("inpaint", "-i", img.toString(), "--rect", "0,0,4,4", "--mask", img.toString()));
        assertEquals(ExitCode.USAGE, cli.run("inpaint", "-i", img.toString(), "--rect", "10,10,10,10", "-m", m));
        assertEquals(ExitCode.USAGE, cli.run("txt2img", "--device", "tpu", "-m", m));
        assertEquals(ExitCode.USAGE, cli.run("txt2img", "--spacing", "even", "-m", m));
        assertTrue(cli.err().contains("--spacing must be leading, trailing or linspace"), cli.err());
        assertEquals(ExitCode.USAGE, cli.run("outpaint", "-i", img.toString(), "-m", m)); // no margins
        assertEquals(ExitCode.USAGE, cli.run());
        assertTrue(engine.requests().isEmpty());
    }

    @Test
    void missingInputsAreInputErrors() throws Exception {
        Path img = image("in.png", 16, 16, 8, false);
        Path smallMask = image("mask.png", 8, 8, 8, true);
        assertEquals(ExitCode.INPUT, cli.run("img2img", "-i", dir.resolve("nope.png").toString(), "-m", model.toString()));
        assertTrue(cli.err().contains("nope.png"), cli.err());
        assertEquals(ExitCode.INPUT, cli.run("inpaint", "-i", img.toString(), "--mask", smallMask.toString(),
                "-m", model.toString()));
        assertTrue(cli.err().contains("same size"), cli.err());
    }

    @Test
    void sixteenBitInputGivesSixteenBitOutput() throws Exception {
        Path img = image("deep.png", 16, 8, 16, false);
        assertEquals(ExitCode.OK, cli.run("img2img", "-i", img.toString(), "-m", model.toString(), "--seed", "3",
                "--strength", "0.25", "-o", out("deep-out.png").toString()), cli.err());
        ImageFile in = ImageFiles.read(img), result = ImageFiles.read(out("deep-out.png"));
        assertEquals(16, result.bitDepth());
        RgbImage want = Picture.RAMP.draw(engine.requests().get(0), 3);
        assertMaxDiff(want, result.rgb(), 0.5 / 65535);
        assertEquals(in.rgb(), engine.requests().get(0).initImage(), "the engine got the 16-bit values");
    }

    @Test
    void inpaintWithRectangleChangesOnlyTheRectangle() throws Exception {
        Path img = image("in.png", 16, 16, 8, false);
        assertEquals(ExitCode.OK, cli.run("inpaint", "-i", img.toString(), "--rect", "4,2,6,5", "-m", model.toString(),
                "--seed", "9", "-o", out("r.png").toString()), cli.err());
        Request r = engine.requests().get(0);
        assertEquals(Mode.INPAINT, r.mode());
        assertEquals(30, r.mask().bounds()[2] * r.mask().bounds()[3]);
        assertEquals(1.0, r.strength());
        RgbImage written = ImageFiles.read(out("r.png")).rgb(), original = ImageFiles.read(img).rgb();
        assertEquals(original.get(0, 0, 0), written.get(0, 0, 0));
        assertEquals(1 - original.get(0, 5, 3), written.get(0, 5, 3), 1 / 255.0);
    }

    @Test
    void outpaintGrowsTheCanvasToMultiplesOfEight() throws Exception {
        Path img = image("in.png", 40, 24, 8, false);
        assertEquals(ExitCode.OK, cli.run("outpaint", "-i", img.toString(), "--expand", "5", "-m", model.toString(),
                "--seed", "1", "-o", out("wide.png").toString()), cli.err());
        Request r = engine.requests().get(0);
        assertEquals(56, r.initImage().width());  // 40 + 5 + 5 → 50 → 56
        assertEquals(40, r.initImage().height()); // 24 + 5 + 5 → 34 → 40
        assertEquals(0f, r.mask().get(24, 16), "the original's centre is kept");
        assertEquals(1f, r.mask().get(5 + 7, 16), "8 px overlap into the original");
        assertEquals(1f, r.mask().get(0, 0));
        assertEquals(1f, r.mask().get(55, 39));
        assertEquals(56, ImageFiles.read(out("wide.png")).rgb().width());
    }

    @Test
    void augmentKeepsBitDepthAndFormatPerImage() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        ImageFiles.write(in.resolve("a.tif"), ImageFilesTest.gradient(16, 16, 65536), 16, true, null, false);
        ImageFiles.write(in.resolve("b.png"), ImageFilesTest.gradient(16, 16, 256), 8, false, null, false);
        Files.writeString(in.resolve("notes.txt"), "not an image");
        assertEquals(ExitCode.OK, cli.run("augment", in.toString(), "--variants", "3", "--seed", "100", "-p", "cells",
                "-m", model.toString(), "-o", out("").toString()), cli.err());
        for (long s = 100; s < 103; s++) {
            ImageFile a = ImageFiles.read(out("a-" + s + ".tif"));
            assertEquals(16, a.bitDepth());
            assertTrue(a.grey());
            assertTrue(a.parameters().contains("Seed: " + s), a.parameters());
            ImageFile b = ImageFiles.read(out("b-" + s + ".png"));
            assertEquals(8, b.bitDepth());
            assertEquals("cells", json(out("b-" + s + ".json")).get("prompt").getAsString());
            assertTrue(json(out("a-" + s + ".json")).get("source").getAsString().endsWith("a.tif"));
        }
        assertEquals(2, engine.requests().size());
        assertEquals(0.3, engine.requests().get(0).strength());
        try (Stream<Path> files = Files.list(out(""))) {
            assertEquals(12, files.count());
        }
    }

    @Test
    void dreamWalksFromOneSeedToAnother() throws Exception {
        assertEquals(ExitCode.OK, cli.run("dream", "-p", "a tunnel", "--frames", "3", "-W", "16", "-H", "16",
                "--seed", "5", "--to-seed", "9", "-m", model.toString(), "-o", out("").toString()), cli.err());
        assertEquals(3, engine.requests().size());
        for (int k = 0; k < 3; k++) {
            Request q = engine.requests().get(k); // the walk is request data: seed 5 leaning towards 9 by k/2
            assertEquals(5, q.seed());
            assertEquals(9, q.variationSeed());
            assertEquals(k * 0.5, q.variationStrength());
            String p = ImageFiles.read(out("frame-" + k + ".png")).parameters();
            assertTrue(p.contains("Seed: 5"), p);
        }
        assertEquals(ExitCode.USAGE, cli.run("dream", "--frames", "1", "-m", model.toString(), "-o", out("").toString()));
    }

    @Test
    void cancelKeepsFinishedImagesAndExits130() throws Exception {
        engine.beforeImage(n -> { if (n == 1) cli.token.cancel(); });
        int code = cli.run("txt2img", "-m", model.toString(), "--seed", "1", "--batch", "3", "-W", "16", "-H", "16",
                "-o", out("").toString());
        assertEquals(ExitCode.CANCELLED, code);
        assertTrue(Files.exists(out("txt2img-1.png")));
        assertFalse(Files.exists(out("txt2img-2.png")));
        assertTrue(cli.err().contains("Cancelled: 1 image(s) written."), cli.err());
        assertFalse(cli.err().contains("Exception"), "no stack trace");
    }

    @Test
    void offlineWithoutTheDefaultModelFailsFastWithOneSentence() throws Exception {
        Path img = image("in.png", 16, 16, 8, false);
        String[] args = {"inpaint", "-i", img.toString(), "--rect", "0,0,8,8", "-o", out("x.png").toString()};
        cli.run(args); // first run loads classes (ImageIO, picocli, Gson): not what "fast" is about on a busy CI box
        long t0 = System.nanoTime();
        int code = cli.run(args);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 1.0, "took " + seconds + " s: no network wait");
        assertEquals(ExitCode.MODEL, code);
        String msg = cli.err().trim();
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains("unet/diffusion_pytorch_model.safetensors") || msg.contains("model_index.json"), msg);
        assertTrue(msg.contains("stable-diffusion-v1-5/stable-diffusion-inpainting") && msg.contains("--model"), msg);
        assertTrue(msg.contains(dir.resolve("cache").resolve("sd15-inpainting").toString()), msg);
    }

    @Test
    void unknownModelIsAModelError() {
        assertEquals(ExitCode.MODEL, cli.run("txt2img", "-m", "no-such-model", "-W", "16", "-H", "16"));
        assertTrue(cli.err().contains("sd15"), "lists the catalog ids: " + cli.err());
    }

    @Test
    void engineBugIsAnInternalError() {
        engine.failNext(new IllegalStateException("boom"));
        assertEquals(ExitCode.INTERNAL, cli.run("txt2img", "-m", model.toString(), "-W", "16", "-H", "16",
                "-o", out("").toString()));
        assertTrue(cli.err().contains("please report") && cli.err().contains("boom"), cli.err());
    }

    @Test
    void benchQuickWritesItsReport() throws Exception {
        Path json = dir.resolve("bench.json");
        assertEquals(ExitCode.OK, cli.run("bench", "--quick", "--steps", "1", "--warmup", "0", "--json", json.toString()),
                cli.err());
        assertTrue(cli.out().contains("unet_step_cfg"), cli.out());
        assertTrue(Files.readString(json).contains("diffusej-bench/1"));
        assertEquals(ExitCode.USAGE, cli.run("bench", "--sizes", "100"));
        assertTrue(cli.err().contains("multiple of 64"), cli.err());
    }

    static void assertMaxDiff(RgbImage want, RgbImage got, double tol) {
        assertEquals(want.width(), got.width());
        float[] a = want.planes(), b = got.planes();
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        assertTrue(max <= tol, "max diff " + max + " > " + tol);
    }
}
