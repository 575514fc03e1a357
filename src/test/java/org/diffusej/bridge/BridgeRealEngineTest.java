package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The bridge end to end with the REAL engine ({@link Pipeline} over the tiny fixture models sd1-tiny and
 * sd1-inpaint-tiny, switched through A1111's options): generation, infotext chunk, determinism, inpaint, interrupt.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BridgeRealEngineTest {
    private static BridgeServer server;
    private static HttpTestClient client;
    private static Path models;

    @BeforeAll
    static void start() throws Exception {
        models = Files.createTempDirectory("bridge-models");
        for (String v : List.of("sd1-tiny", "sd1-inpaint-tiny"))
            Files.createSymbolicLink(models.resolve(v), Fixtures.diffusersDir(v).toAbsolutePath()); // diffusers folders carry the tiny configs
        FolderModelProvider provider = new FolderModelProvider(models,
                p -> new Pipeline(StableDiffusionModel.load(p, ModelOptions.cpu())), "sd1-tiny");
        server = BridgeServer.builder(provider).port(0).closeModelsOnStop(true).build().start();
        client = new HttpTestClient(server.url());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    private static String fixturePng(String name) throws Exception {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(Fixtures.input(name)));
    }

    @Test
    @Order(1)
    void txt2imgIsDeterministicAndCarriesTheInfotext() throws Exception {
        String body = "{\"prompt\":\"a photo of a cat\",\"seed\":42,\"steps\":4,\"width\":64,\"height\":64,\"sampler_name\":\"Euler a\"}";
        HttpTestClient.Answer a = client.post("/sdapi/v1/txt2img", body);
        assertEquals(200, a.status(), a.body());
        String image = a.object().getAsJsonArray("images").get(0).getAsString();
        BufferedImage img = HttpTestClient.decode(image);
        assertEquals(64, img.getWidth());
        assertEquals(64, img.getHeight());
        String parameters = ImageCodec.readParameters(Base64.getDecoder().decode(image));
        JsonObject info = JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
        assertEquals(parameters, info.getAsJsonArray("infotexts").get(0).getAsString());
        assertTrue(parameters.startsWith("a photo of a cat\n"), parameters);
        assertTrue(parameters.contains("Seed: 42") && parameters.contains("Steps: 4") && parameters.contains("Model: sd1-tiny"), parameters);
        assertEquals("sd1-tiny", info.get("sd_model_name").getAsString());
        HttpTestClient.Answer again = client.post("/sdapi/v1/txt2img", body);
        assertEquals(image, again.object().getAsJsonArray("images").get(0).getAsString(), "same seed, same PNG");
    }

    @Test
    @Order(2)
    void img2imgFromTheFixtureImage() throws Exception {
        HttpTestClient.Answer a = client.post("/sdapi/v1/img2img", "{\"init_images\":[\"data:image/png;base64,"
                + fixturePng("init_image.png") + "\"],\"denoising_strength\":0.5,\"steps\":6,\"seed\":1}");
        assertEquals(200, a.status(), a.body());
        BufferedImage out = HttpTestClient.decode(a.object().getAsJsonArray("images").get(0).getAsString());
        assertEquals(64, out.getWidth());
        JsonObject info = JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
        assertEquals(0.5, info.get("denoising_strength").getAsDouble());
        HttpTestClient.Answer bad = client.post("/sdapi/v1/txt2img", "{\"sampler_name\":\"No such sampler\",\"steps\":1,\"width\":64,\"height\":64}");
        assertEquals(422, bad.status(), bad.body());
    }

    @Test
    @Order(3)
    void interruptStopsARealRunWithinAStepWithMonotonicProgress() throws Exception {
        CompletableFuture<HttpTestClient.Answer> job = CompletableFuture.supplyAsync(() -> {
            try {
                return client.post("/sdapi/v1/txt2img", "{\"steps\":1000,\"width\":64,\"height\":64,\"seed\":3}");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        List<Double> seen = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 60_000;
        String preview = null;
        while (seen.size() < 5 && System.currentTimeMillis() < deadline) {
            JsonObject progress = client.get("/sdapi/v1/progress").object();
            double p = progress.get("progress").getAsDouble();
            if (p > 0) seen.add(p);
            if (progress.get("current_image").isJsonPrimitive()) preview = progress.get("current_image").getAsString();
            Thread.sleep(20);
        }
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) >= seen.get(i - 1), "progress went back: " + seen);
        assertFalse(seen.isEmpty(), "no progress seen");
        assertNotNull(preview, "progress.current_image carries the latent preview");
        assertTrue(HttpTestClient.decode(preview).getWidth() > 0);
        long t0 = System.nanoTime();
        client.post("/sdapi/v1/interrupt", "");
        HttpTestClient.Answer a = job.get(30, TimeUnit.SECONDS);
        assertEquals(200, a.status(), a.body());
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "interrupt took too long");
        // A1111 returns the image as far as it got (regression: images was [])
        JsonArray kept = a.object().getAsJsonArray("images");
        assertEquals(1, kept.size(), a.body().length() > 300 ? a.body().substring(0, 300) : a.body());
        assertEquals(64, HttpTestClient.decode(kept.get(0).getAsString()).getWidth());
        JsonObject info = JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
        assertEquals("[0]", info.get("unfinished_images").toString());
        assertTrue(client.get("/sdapi/v1/progress").object().getAsJsonObject("state").get("job_count").getAsInt() == 0);
    }

    @Test
    @Order(3)
    void optionsAndHealthSayWhichPrecisionRunsAndWhy() throws Exception {
        JsonObject options = client.get("/sdapi/v1/options").object();
        assertEquals("fp32", options.get("diffusej_precision").getAsString());
        assertEquals("fp32 as set in the model options.", options.get("diffusej_precision_reason").getAsString());
        assertEquals("fp32", client.get("/diffusej/v1/health").object().get("diffusej_precision").getAsString());
    }

    @Test
    @Order(4)
    void switchToTheInpaintingModelAndInpaint() throws Exception {
        HttpTestClient.Answer set = client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"sd1-inpaint-tiny\"}");
        assertEquals(200, set.status(), set.body());
        assertTrue(client.get("/sdapi/v1/options").object().get("sd_model_checkpoint").getAsString().startsWith("sd1-inpaint-tiny"));
        HttpTestClient.Answer a = client.post("/sdapi/v1/img2img", "{\"init_images\":[\"" + fixturePng("init_image.png")
                + "\"],\"mask\":\"" + fixturePng("mask.png") + "\",\"denoising_strength\":1.0,\"steps\":4,\"seed\":5,"
                + "\"inpaint_full_res\":false,\"mask_blur\":0}");
        assertEquals(200, a.status(), a.body());
        JsonArray images = a.object().getAsJsonArray("images");
        BufferedImage out = HttpTestClient.decode(images.get(0).getAsString());
        BufferedImage init = ImageIO.read(Fixtures.input("init_image.png").toFile());
        BufferedImage mask = ImageIO.read(Fixtures.input("mask.png").toFile());
        int kept = 0, keptEqual = 0, repainted = 0, repaintedChanged = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) {
                boolean masked = (mask.getRaster().getSample(x, y, 0)) > 128;
                int diff = maxChannelDiff(out.getRGB(x, y), init.getRGB(x, y));
                if (masked) { repainted++; if (diff > 8) repaintedChanged++; }
                else { kept++; if (diff <= 2) keptEqual++; }
            }
        // A1111 pastes the original back outside the mask (mask_blur 0: exactly, up to PNG rounding).
        assertTrue(keptEqual >= kept * 0.99, keptEqual + " of " + kept + " kept pixels equal the init image");
        assertTrue(repaintedChanged >= repainted * 0.5, repaintedChanged + " of " + repainted + " masked pixels changed");
        JsonObject info = JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
        assertTrue(info.get("is_using_inpainting_conditioning").getAsBoolean());
    }

    @Test
    @Order(5)
    void theInpaintingModelServesTxt2imgAndImg2imgWithoutMask() throws Exception {
        // regression: both answered 500 "sample must be [N, 9, h, w]" on a 9-channel model
        assertTrue(client.get("/sdapi/v1/options").object().get("sd_model_checkpoint").getAsString().startsWith("sd1-inpaint-tiny"));
        HttpTestClient.Answer t = client.post("/sdapi/v1/txt2img", "{\"prompt\":\"a cat\",\"seed\":9,\"steps\":3,\"width\":64,\"height\":64}");
        assertEquals(200, t.status(), t.body());
        assertEquals(64, HttpTestClient.decode(t.object().getAsJsonArray("images").get(0).getAsString()).getWidth());
        assertTrue(JsonParser.parseString(t.object().get("info").getAsString()).getAsJsonObject()
                .get("is_using_inpainting_conditioning").getAsBoolean());
        HttpTestClient.Answer i = client.post("/sdapi/v1/img2img", "{\"init_images\":[\"" + fixturePng("init_image.png")
                + "\"],\"denoising_strength\":0.5,\"steps\":4,\"seed\":2}");
        assertEquals(200, i.status(), i.body());
        assertEquals(64, HttpTestClient.decode(i.object().getAsJsonArray("images").get(0).getAsString()).getWidth());
    }

    @Test
    @Order(6)
    void sdModelsListsTheLoadedModelsFullSha256() throws Exception {
        JsonObject loaded = client.get("/sdapi/v1/sd-models").json().getAsJsonArray().get(0).getAsJsonObject();
        String hash = loaded.get("hash").getAsString();
        String sha = loaded.get("sha256").getAsString();
        assertTrue(sha.matches("[0-9a-f]{64}") && sha.startsWith(hash), loaded.toString());
        assertEquals("sd1-inpaint-tiny [" + hash + "]", loaded.get("title").getAsString(), "a folder has no extension");
        assertTrue(loaded.get("config").isJsonNull());
    }

    private static int maxChannelDiff(int a, int b) {
        int d = 0;
        for (int s = 0; s <= 16; s += 8) d = Math.max(d, Math.abs(((a >> s) & 0xff) - ((b >> s) & 0xff)));
        return d;
    }
}
