package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.*;

/** The A1111 {@code /sdapi/v1} endpoints against a running server: shapes, defaults, images, malformed input. */
class SdApiTest {
    private FakeEngine engine;
    private BridgeServer server;
    private HttpTestClient client;

    @BeforeEach
    void start() throws Exception {
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(1);
        server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).maxBodyBytes(200_000).maxImageSide(256).build().start();
        client = new HttpTestClient(server.url());
    }

    @AfterEach
    void stop() {
        server.stop();
        assertFalse(engine.isClosed(), "a shared engine must stay open when the server stops");
    }

    static BufferedImage square(int w, int h, Color bg, Color fg, int x, int y, int s, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(bg);
        g.fillRect(0, 0, w, h);
        g.setColor(fg);
        g.fillRect(x, y, s, s);
        g.dispose();
        return img;
    }

    @Test
    void txt2imgAnswersImagesWithParametersChunkAndInfoString() throws Exception {
        JsonObject body = JsonParser.parseString("{\"prompt\":\"a cat\",\"negative_prompt\":\"dog\",\"seed\":42,"
                + "\"steps\":3,\"width\":64,\"height\":32,\"batch_size\":2,\"unknown_field\":{\"x\":1}}").getAsJsonObject();
        HttpTestClient.Answer a = client.post("/sdapi/v1/txt2img", body);
        assertEquals(200, a.status(), a.body());
        JsonObject o = a.object();
        JsonArray images = o.getAsJsonArray("images");
        assertEquals(2, images.size());
        byte[] png = Base64.getDecoder().decode(images.get(0).getAsString());
        BufferedImage img = HttpTestClient.decode(images.get(0).getAsString());
        assertEquals(64, img.getWidth());
        assertEquals(32, img.getHeight());
        float[] c = Picture.colour(42);
        assertEquals(Math.round(c[0] * 255), (img.getRGB(5, 5) >> 16) & 0xff);
        String parameters = ImageCodec.readParameters(png);
        assertTrue(parameters.startsWith("a cat\nNegative prompt: dog\nSteps: 3"), parameters);
        assertTrue(parameters.contains("Seed: 42"), parameters);
        assertTrue(ImageCodec.readParameters(Base64.getDecoder().decode(images.get(1).getAsString())).contains("Seed: 43"));

        assertTrue(o.get("info").isJsonPrimitive(), "info is a JSON string, as in A1111");
        JsonObject info = JsonParser.parseString(o.get("info").getAsString()).getAsJsonObject();
        assertEquals(42, info.get("seed").getAsLong());
        assertEquals("[42,43]", info.get("all_seeds").toString());
        assertEquals(parameters, info.getAsJsonArray("infotexts").get(0).getAsString());
        assertEquals("tiny", info.get("sd_model_name").getAsString());
        assertTrue(info.get("denoising_strength").isJsonNull());

        JsonObject params = o.getAsJsonObject("parameters");
        assertEquals("a cat", params.get("prompt").getAsString());
        assertEquals(7.0, params.get("cfg_scale").getAsDouble());
        assertEquals("Euler", params.get("sampler_name").getAsString());

        Request r = engine.requests().get(0);
        assertEquals(Mode.TXT2IMG, r.mode());
        assertEquals("dog", r.negativePrompt());
        assertEquals(2, r.batchSize());
    }

    @Test
    void subseedAndStrengthReachTheEngineAndComeBackInInfo() throws Exception {
        JsonObject body = JsonParser.parseString("{\"prompt\":\"a cat\",\"seed\":42,\"subseed\":900,"
                + "\"subseed_strength\":0.25,\"steps\":2,\"width\":16,\"height\":16,\"batch_size\":2}").getAsJsonObject();
        HttpTestClient.Answer a = client.post("/sdapi/v1/txt2img", body);
        assertEquals(200, a.status(), a.body());
        Request r = engine.requests().get(0);
        assertEquals(900, r.variationSeed());
        assertEquals(0.25, r.variationStrength());
        JsonObject info = JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
        assertEquals(900, info.get("subseed").getAsLong());
        assertEquals("[900,901]", info.get("all_subseeds").toString(), "batch item k: subseed + k, as in A1111");
        assertEquals(0.25, info.get("subseed_strength").getAsDouble());
        assertEquals(0.25, a.object().getAsJsonObject("parameters").get("subseed_strength").getAsDouble());
        HttpTestClient.Answer bad = client.post("/sdapi/v1/txt2img", "{\"subseed_strength\":1.5}");
        assertTrue(bad.status() == 400 || bad.status() == 422, bad.body());
        assertTrue(bad.body().contains("subseed_strength"), bad.body());
    }

    @Test
    void txt2imgDefaultsAreA1111s() throws Exception {
        server.stop();
        server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).build().start();
        client = new HttpTestClient(server.url());
        HttpTestClient.Answer a = client.post("/sdapi/v1/txt2img", "{\"prompt\":\"x\"}");
        assertEquals(200, a.status(), a.body());
        Request r = engine.requests().get(0);
        assertEquals(50, r.steps());
        assertEquals("Euler", r.sampler());
        assertEquals(7.0, r.cfgScale());
        assertEquals(512, r.width());
        assertEquals(512, r.height());
        assertEquals(-1, r.seed());
        assertEquals(1, r.batchSize());
        assertEquals(1, r.batchCount());
        assertEquals(1, a.object().getAsJsonArray("images").size());
        HttpTestClient.Answer noImages = client.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8,\"send_images\":false}");
        assertEquals(0, noImages.object().getAsJsonArray("images").size(), "A1111's send_images=false");
    }

    @Test
    void img2imgWithDataUrlAndInpaintMask() throws Exception {
        BufferedImage init = square(48, 40, Color.WHITE, Color.RED, 0, 0, 8, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = square(48, 40, Color.BLACK, Color.WHITE, 16, 8, 16, BufferedImage.TYPE_BYTE_GRAY);
        JsonObject body = new JsonObject();
        JsonArray inits = new JsonArray();
        inits.add("data:image/png;base64," + HttpTestClient.pngBase64(init));
        body.add("init_images", inits);
        body.addProperty("mask", "data:image/png;base64," + HttpTestClient.pngBase64(mask));
        body.addProperty("seed", 5);
        body.addProperty("steps", 4);
        body.addProperty("denoising_strength", 0.5);
        body.addProperty("inpainting_fill", 1);
        body.addProperty("inpaint_full_res", false);
        body.addProperty("mask_blur", 2);
        HttpTestClient.Answer a = client.post("/sdapi/v1/img2img", body);
        assertEquals(200, a.status(), a.body());
        Request r = engine.requests().get(0);
        assertEquals(Mode.INPAINT, r.mode());
        assertEquals(48, r.width());
        assertEquals(40, r.height());
        assertEquals(0.5, r.strength());
        assertEquals(2, r.maskBlur());
        assertFalse(r.onlyMasked());
        assertEquals(org.diffusej.engine.MaskedContent.ORIGINAL, r.maskedContent());
        assertEquals(1f, r.mask().get(20, 10));
        assertEquals(0f, r.mask().get(2, 2));
        assertEquals(1f, r.initImage().get(0, 2, 2), 1e-6);
        assertEquals(0f, r.initImage().get(1, 2, 2), 1e-6);

        BufferedImage out = HttpTestClient.decode(a.object().getAsJsonArray("images").get(0).getAsString());
        assertEquals(0xffffffff, out.getRGB(40, 30), "unmasked pixels keep the init image");
        JsonObject params = a.object().getAsJsonObject("parameters");
        assertTrue(params.get("init_images").isJsonNull());
        assertTrue(params.get("mask").isJsonNull());
        assertEquals(0.5, JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject()
                .get("denoising_strength").getAsDouble());
    }

    @Test
    void img2imgMaskAlphaChannelAndResizeToRequestedSize() throws Exception {
        BufferedImage init = square(32, 32, Color.BLUE, Color.BLUE, 0, 0, 1, BufferedImage.TYPE_INT_RGB);
        BufferedImage mask = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB); // transparent = keep
        Graphics2D g = mask.createGraphics();
        g.setColor(new Color(0, 0, 0, 255));
        g.fillRect(0, 0, 16, 32); // opaque black left half: alpha marks repaint, as in A1111
        g.dispose();
        String body = "{\"init_images\":[\"" + HttpTestClient.pngBase64(init) + "\"],\"mask\":\""
                + HttpTestClient.pngBase64(mask) + "\",\"width\":64,\"height\":64,\"steps\":1}";
        HttpTestClient.Answer a = client.post("/sdapi/v1/img2img", body);
        assertEquals(200, a.status(), a.body());
        Request r = engine.requests().get(0);
        assertEquals(64, r.initImage().width());
        assertEquals(64, r.mask().width());
        assertEquals(1f, r.mask().get(5, 40));
        assertEquals(0f, r.mask().get(60, 40));
    }

    @Test
    void malformedInputsAre4xxWithClearMessagesAndServerKeepsServing() throws Exception {
        String png = HttpTestClient.pngBase64(square(16, 16, Color.WHITE, Color.BLACK, 0, 0, 4, BufferedImage.TYPE_INT_RGB));
        String big = HttpTestClient.pngBase64(new BufferedImage(300, 10, BufferedImage.TYPE_INT_RGB));
        expectError("/sdapi/v1/txt2img", "{\"prompt\": \"x\"", 400, "not valid JSON");
        expectError("/sdapi/v1/txt2img", "[1,2]", 400, "JSON object");
        expectError("/sdapi/v1/txt2img", "{\"steps\":\"many\"}", 400, "steps must be a number");
        expectError("/sdapi/v1/txt2img", "{\"steps\":0}", 422, "steps must be between");
        expectError("/sdapi/v1/txt2img", "{\"width\":1024,\"height\":64}", 413, "at most 256 pixels");
        expectError("/sdapi/v1/txt2img", "{\"sampler_name\":\"No such sampler\",\"steps\":1,\"width\":8,\"height\":8}", 422, "Unknown sampler");
        expectError("/sdapi/v1/img2img", "{\"prompt\":\"x\"}", 422, "init_images");
        expectError("/sdapi/v1/img2img", "{\"init_images\":[\"%%%not base64%%%\"]}", 400, "not valid base64");
        expectError("/sdapi/v1/img2img", "{\"init_images\":[\"" + Base64.getEncoder().encodeToString("hello, not an image".getBytes()) + "\"]}",
                400, "not an image");
        expectError("/sdapi/v1/img2img", "{\"init_images\":[\"" + big + "\"]}", 413, "300x10");
        expectError("/sdapi/v1/img2img", "{\"init_images\":[\"" + png + "\"],\"denoising_strength\":2}", 422, "denoising_strength");
        HttpTestClient.Answer notFound = client.get("/sdapi/v1/nothing-here");
        assertEquals(404, notFound.status());
        HttpTestClient.Answer wrongMethod = client.get("/sdapi/v1/txt2img");
        assertEquals(405, wrongMethod.status());
        assertTrue(wrongMethod.object().get("detail").getAsString().contains("POST"));

        assertEquals(200, client.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8}").status());
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String huge = "{\"prompt\":\"" + "x".repeat(300_000) + "\"}";
        expectError("/sdapi/v1/txt2img", huge, 413, "larger than this server accepts");
        assertEquals(200, client.get("/sdapi/v1/progress").status());
        assertTrue(engine.requests().isEmpty());
    }

    private void expectError(String path, String body, int status, String detailPart) throws Exception {
        HttpTestClient.Answer a = client.post(path, body);
        assertEquals(status, a.status(), body.length() > 200 ? path : body + " -> " + a.body());
        JsonObject o = a.object();
        assertTrue(o.has("error"), a.body());
        assertTrue(o.get("detail").getAsString().contains(detailPart), "'" + detailPart + "' not in " + a.body());
    }

    @Test
    void modelsSamplersSchedulersOptions() throws Exception {
        JsonArray models = client.get("/sdapi/v1/sd-models").json().getAsJsonArray();
        assertEquals(1, models.size());
        JsonObject m = models.get(0).getAsJsonObject();
        assertEquals("tiny.safetensors [0123456789]", m.get("title").getAsString(), "A1111: file name with extension, short hash");
        assertEquals("tiny", m.get("model_name").getAsString());
        assertEquals("0123456789", m.get("hash").getAsString());
        assertTrue(m.has("filename") && m.has("config") && m.has("sha256"));

        assertEquals(200, client.post("/sdapi/v1/refresh-checkpoints", "").status());

        JsonArray samplers = client.get("/sdapi/v1/samplers").json().getAsJsonArray();
        assertTrue(samplers.toString().contains("\"name\":\"Euler a\""), samplers.toString());
        assertTrue(samplers.get(0).getAsJsonObject().has("aliases"));
        java.util.List<String> offered = new java.util.ArrayList<>();
        for (var s : samplers) offered.add(s.getAsJsonObject().get("name").getAsString());
        assertEquals(org.diffusej.engine.SamplerNames.samplers(), offered, "the bridge offers the engine's list");
        for (String name : offered) // the engine builds each name it offers
            org.diffusej.engine.sampler.Samplers.create(name, null, org.diffusej.engine.sampler.NoiseSchedule.sd());
        assertTrue(client.get("/sdapi/v1/schedulers").body().contains("karras"));

        JsonObject options = client.get("/sdapi/v1/options").object();
        assertEquals("tiny.safetensors [0123456789]", options.get("sd_model_checkpoint").getAsString());
        HttpTestClient.Answer set = client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"tiny\",\"jpeg_quality\":80}");
        assertEquals(200, set.status(), set.body());
        assertEquals(80, client.get("/sdapi/v1/options").object().get("jpeg_quality").getAsInt());
        HttpTestClient.Answer unknown = client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"other\"}");
        assertEquals(404, unknown.status(), unknown.body());
        assertTrue(unknown.object().get("detail").getAsString().contains("only 'tiny.safetensors [0123456789]'"));
    }
}
