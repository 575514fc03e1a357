package org.diffusej.cli;

import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every generating subcommand end to end on the real pipeline with the tiny fixture models (random weights). */
class FixtureEndToEndTest {
    private static final Path EXAMPLES = Path.of("examples");

    @TempDir Path dir;

    private CliHarness cli() {
        return new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null, null),
                PipelineEngineLoader::load);
    }

    private static String sd1() { return Fixtures.diffusersDir("sd1-tiny").toString(); }

    private static String inpaintModel() { return Fixtures.diffusersDir("sd1-inpaint-tiny").toString(); }

    private Path out(String name) { return dir.resolve("out").resolve(name); }

    @Test
    void txt2imgIsReproducibleAndRecordsItsParameters() throws Exception {
        CliHarness cli = cli();
        for (String name : new String[] {"a.png", "b.png"})
            assertEquals(ExitCode.OK, cli.run("txt2img", "-m", sd1(), "-p", "a photo of a cat", "--seed", "3",
                    "--steps", "2", "--sampler", "Euler", "-W", "64", "-H", "64", "-o", out(name).toString()), cli.err());
        ImageFile a = ImageFiles.read(out("a.png")), b = ImageFiles.read(out("b.png"));
        assertEquals(a.rgb(), b.rgb(), "same seed, same image");
        assertTrue(spread(a.rgb()) > 0.01, "not a flat image");
        Map<String, Object> p = Infotext.parse(a.parameters());
        assertEquals("a photo of a cat", p.get("Prompt"));
        assertEquals("3", String.valueOf(p.get("Seed")));
        assertEquals("2", String.valueOf(p.get("Steps")));
        assertTrue(p.containsKey("Model hash"), p.toString());
        assertEquals(a.parameters(), JsonRead.string(OutputPlan.sidecar(out("a.png")), "parameters"));
    }

    @Test
    void singleFileWithItsConfigGivesTheFolderResult() throws Exception {
        CliHarness cli = cli();
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", sd1(), "--seed", "5", "--steps", "2", "-W", "64", "-H", "64",
                "-o", out("folder.png").toString()), cli.err());
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", Fixtures.singleFile("sd1-tiny").toString(), "--model-config",
                sd1(), "--seed", "5", "--steps", "2", "-W", "64", "-H", "64", "-o", out("file.png").toString()), cli.err());
        assertEquals(ImageFiles.read(out("folder.png")).rgb(), ImageFiles.read(out("file.png")).rgb());
    }

    /** SDXL through the common engine API: the tiny SDXL folder, and its single file with the folder as config. */
    @Test
    void sdxlTxt2imgFromFolderAndSingleFile() throws Exception {
        CliHarness cli = cli();
        String folder = Fixtures.diffusersDir("sdxl-tiny").toString();
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", folder, "-p", "a photo of a cat", "--seed", "5", "--steps", "2",
                "--cfg", "5", "-W", "64", "-H", "64", "-o", out("xl-folder.png").toString()), cli.err());
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", Fixtures.singleFile("sdxl-tiny").toString(), "--model-config",
                folder, "-p", "a photo of a cat", "--seed", "5", "--steps", "2", "--cfg", "5", "-W", "64", "-H", "64",
                "-o", out("xl-file.png").toString()), cli.err());
        ImageFile a = ImageFiles.read(out("xl-folder.png"));
        assertEquals(64, a.rgb().width());
        assertTrue(spread(a.rgb()) > 0.01, "not a flat image");
        assertEquals(a.rgb(), ImageFiles.read(out("xl-file.png")).rgb(), "single file == folder");
        assertTrue(String.valueOf(Infotext.parse(a.parameters()).get("Model")).contains("sdxl-tiny"), a.parameters());
    }

    @Test
    void readmeMainJobInpaintsTheExampleGarden() throws Exception {
        CliHarness cli = cli();
        Path garden = EXAMPLES.resolve("garden-64.png");
        assertEquals(ExitCode.OK, cli.run("inpaint", "-i", garden.toString(), "--mask",
                EXAMPLES.resolve("garden-64-mask.png").toString(), "-p", "a red rose bush", "-m", inpaintModel(),
                "--steps", "2", "--seed", "1", "-o", out("roses.png").toString()), cli.err());
        RgbImage before = ImageFiles.read(garden).rgb(), after = ImageFiles.read(out("roses.png")).rgb();
        assertEquals(before.get(1, 2, 2), after.get(1, 2, 2), 1 / 255.0, "far from the mask: unchanged");
        int cx = (int) (0.66 * 64), cy = (int) (0.80 * 64);
        assertNotEquals(before.get(1, cx, cy), after.get(1, cx, cy), "inside the mask: repainted");
        assertTrue(Infotext.parse(ImageFiles.read(out("roses.png")).parameters()).containsKey("Denoising strength"));
    }

    @Test
    void img2imgOutpaintDreamAndAugment() throws Exception {
        CliHarness cli = cli();
        Path garden = EXAMPLES.resolve("garden-64.png");
        assertEquals(ExitCode.OK, cli.run("img2img", "-i", garden.toString(), "-m", sd1(), "--steps", "2",
                "--strength", "0.5", "--seed", "2", "-o", out("restyled.png").toString()), cli.err());
        assertEquals(64, ImageFiles.read(out("restyled.png")).rgb().width());
        assertEquals(ExitCode.OK, cli.run("outpaint", "-i", garden.toString(), "--expand", "8", "-m", inpaintModel(),
                "--steps", "2", "--seed", "2", "-o", out("wider.png").toString()), cli.err());
        assertEquals(80, ImageFiles.read(out("wider.png")).rgb().width());
        assertEquals(ExitCode.OK, cli.run("dream", "--frames", "3", "-W", "64", "-H", "64", "-m", sd1(), "--steps", "2",
                "--seed", "4", "-o", out("dream").toString()), cli.err());
        assertTrue(Files.exists(out("dream/frame-2.png")));
        assertEquals(ExitCode.OK, cli.run("augment", EXAMPLES.resolve("cells").toString(), "--variants", "2",
                "--steps", "4", "--strength", "0.5", "--seed", "8", "-m", sd1(), "-o", out("aug").toString()), cli.err());
        ImageFile variant = ImageFiles.read(out("aug/cells-2-9.tif"));
        assertEquals(16, variant.bitDepth());
        assertTrue(variant.grey());
        assertEquals("9", String.valueOf(Infotext.parse(variant.parameters()).get("Seed")));
    }

    @Test
    void cancellingMidRunExits130() throws Exception {
        CancellationToken[] token = new CancellationToken[1];
        CliHarness cli = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null,
                null), (p, s, l) -> new CancelAfterFirstStep(PipelineEngineLoader.load(p, s, l), () -> token[0]));
        token[0] = cli.token;
        assertEquals(ExitCode.CANCELLED, cli.run("txt2img", "-m", sd1(), "--steps", "4", "-W", "64", "-H", "64",
                "--seed", "1", "-o", out("c.png").toString()));
        assertTrue(cli.err().contains("Cancel"), cli.err());
        assertTrue(!cli.err().contains("Exception"), cli.err());
    }

    @Test
    void notACheckpointIsAModelError() throws Exception {
        CliHarness cli = cli();
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "not safetensors at all");
        assertEquals(ExitCode.MODEL, cli.run("txt2img", "-m", junk.toString(), "-W", "64", "-H", "64",
                "-o", out("j.png").toString()));
        assertTrue(cli.err().contains("junk.safetensors"), cli.err());
    }

    @Test
    void serveGeneratesOverHttp() throws Exception {
        CliHarness cli = cli();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
                () -> cli.run("serve", "-m", sd1(), "--port", "0", "--quiet"));
        String base = cli.awaitServerUrl(60);
        assertTrue(base != null, cli.err());
        HttpURLConnection c = (HttpURLConnection) URI.create(base + "/sdapi/v1/txt2img").toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/json");
        c.getOutputStream().write("{\"prompt\":\"a cat\",\"steps\":2,\"width\":64,\"height\":64,\"seed\":1}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, c.getResponseCode());
        assertTrue(new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("\"images\""));
        cli.token.cancel();
        assertEquals(ExitCode.OK, code.get(30, TimeUnit.SECONDS), cli.err());
    }

    private static double spread(RgbImage img) {
        double min = 1, max = 0;
        for (float v : img.planes()) { min = Math.min(min, v); max = Math.max(max, v); }
        return max - min;
    }

    /** The real pipeline, cancelled through the CLI's token once the first step finished. */
    private record CancelAfterFirstStep(DiffusionEngine engine, java.util.function.Supplier<CancellationToken> token)
            implements DiffusionEngine {
        @Override
        public Result generate(Request r, ProgressListener l, CancellationToken t) throws org.diffusej.engine.DiffusionException {
            return engine.generate(r, p -> {
                l.onProgress(p);
                if (p.step() >= 1) token.get().cancel();
            }, t);
        }

        @Override public ModelInfo model() { return engine.model(); }
        @Override public void close() { engine.close(); }
    }

    /** Reads one string field of a JSON sidecar. */
    private static final class JsonRead {
        static String string(Path json, String key) throws java.io.IOException {
            return com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonObject().get(key).getAsString();
        }
    }
}
