package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.Request;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Conformance with AUTOMATIC1111's API definition (facts from {@code modules/api/models.py}, {@code api.py} and the
 * dataclass defaults of {@code modules/processing.py}): request defaults echoed in {@code parameters}, nothing
 * ignored silently, {@code override_settings}, {@code samples_format}, mask and resize handling, interrupt and skip
 * keeping images, the list endpoints' shapes, {@code png-info}, {@code memory}, and {@code /openapi.json}.
 */
class A1111ConformanceTest {
    private FakeEngine engine;
    private BridgeServer server;
    private HttpTestClient client;

    @BeforeEach
    void start() throws Exception {
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(1);
        server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).maxImageSide(512).build().start();
        client = new HttpTestClient(server.url());
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static JsonObject info(HttpTestClient.Answer a) {
        return JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
    }

    private static List<String> warnings(HttpTestClient.Answer a) {
        List<String> out = new java.util.ArrayList<>();
        info(a).getAsJsonArray("warnings").forEach(e -> out.add(e.getAsString()));
        return out;
    }

    private HttpTestClient.Answer txt2img(String extra) throws Exception {
        return client.post("/sdapi/v1/txt2img", "{\"prompt\":\"a cat\",\"seed\":42,\"steps\":2,\"width\":16,\"height\":16"
                + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    private static String png(BufferedImage img) throws Exception {
        return HttpTestClient.pngBase64(img);
    }

    // -- defaults and the parameters echo --

    /** A1111 defaults, read from processing.py's dataclasses and models.py's API additions (not from our table). */
    private static final Map<String, String> TXT2IMG_DEFAULTS = Map.ofEntries(
            Map.entry("styles", "null"), Map.entry("subseed", "-1"), Map.entry("seed_resize_from_h", "-1"),
            Map.entry("seed_resize_from_w", "-1"), Map.entry("scheduler", "null"), Map.entry("restore_faces", "null"),
            Map.entry("tiling", "null"), Map.entry("do_not_save_samples", "false"), Map.entry("do_not_save_grid", "false"),
            Map.entry("eta", "null"), Map.entry("s_churn", "null"), Map.entry("s_noise", "null"),
            Map.entry("override_settings", "null"), Map.entry("override_settings_restore_afterwards", "true"),
            Map.entry("refiner_checkpoint", "null"), Map.entry("disable_extra_networks", "false"),
            Map.entry("enable_hr", "false"), Map.entry("denoising_strength", "0.75"), Map.entry("hr_scale", "2.0"),
            Map.entry("hr_upscaler", "null"), Map.entry("hr_second_pass_steps", "0"), Map.entry("hr_prompt", "\"\""),
            Map.entry("firstphase_width", "0"), Map.entry("sampler_index", "\"Euler\""), Map.entry("script_name", "null"),
            Map.entry("script_args", "[]"), Map.entry("send_images", "true"), Map.entry("save_images", "false"),
            Map.entry("alwayson_scripts", "{}"), Map.entry("n_iter", "1"), Map.entry("batch_size", "1"),
            Map.entry("cfg_scale", "7.0"), Map.entry("steps", "2"), Map.entry("sampler_name", "\"Euler\""));
    private static final Map<String, String> IMG2IMG_DEFAULTS = Map.ofEntries(
            Map.entry("resize_mode", "0"), Map.entry("denoising_strength", "0.75"), Map.entry("image_cfg_scale", "null"),
            Map.entry("mask_blur_x", "4"), Map.entry("mask_blur_y", "4"), Map.entry("mask_round", "true"),
            Map.entry("inpainting_fill", "0"), Map.entry("inpaint_full_res", "true"),
            Map.entry("inpaint_full_res_padding", "0"), Map.entry("inpainting_mask_invert", "0"),
            Map.entry("initial_noise_multiplier", "null"), Map.entry("latent_mask", "null"),
            Map.entry("include_init_images", "false"), Map.entry("sampler_index", "\"Euler\""),
            Map.entry("send_images", "true"), Map.entry("alwayson_scripts", "{}"));

    @Test
    void parametersEchoEveryFieldWithA1111sDefaults() throws Exception {
        HttpTestClient.Answer a = txt2img("");
        assertEquals(200, a.status(), a.body());
        JsonObject p = a.object().getAsJsonObject("parameters");
        TXT2IMG_DEFAULTS.forEach((k, v) -> assertEquals(v, String.valueOf(p.get(k)), "txt2img parameters." + k));
        assertEquals(16, p.get("width").getAsInt());
        assertEquals(List.of(), warnings(a), "a plain request has nothing to report");

        String init = png(SdApiTest.square(16, 16, Color.WHITE, Color.RED, 0, 0, 4, BufferedImage.TYPE_INT_RGB));
        HttpTestClient.Answer b = client.post("/sdapi/v1/img2img", "{\"init_images\":[\"" + init + "\"],\"steps\":2}");
        assertEquals(200, b.status(), b.body());
        JsonObject q = b.object().getAsJsonObject("parameters");
        IMG2IMG_DEFAULTS.forEach((k, v) -> assertEquals(v, String.valueOf(q.get(k)), "img2img parameters." + k));
        assertEquals(16, q.get("width").getAsInt(), "img2img size defaults to the init image's");
        assertFalse(q.has("enable_hr"), "hires fields are txt2img's only");
    }

    // -- nothing silent --

    @Test
    void unsupportedFieldsAreReportedInInfoWarnings() throws Exception {
        HttpTestClient.Answer a = txt2img("\"hr_checkpoint_name\":\"other.safetensors\",\"restore_faces\":true,\"tiling\":true,"
                + "\"styles\":[\"cinematic\"],\"script_name\":\"x/y/z plot\",\"alwayson_scripts\":{\"ControlNet\":{\"args\":[]}},"
                + "\"no_such_field\":1");
        assertEquals(200, a.status(), a.body());
        List<String> w = warnings(a);
        for (String field : List.of("hr_checkpoint_name", "restore_faces", "tiling", "styles", "script_name", "alwayson_scripts", "no_such_field"))
            assertTrue(w.stream().anyMatch(s -> s.startsWith(field + ":")), field + " not reported in " + w);
        assertEquals(7, w.size(), w.toString());
        assertEquals("hr_checkpoint_name, restore_faces, tiling, styles, script_name, alwayson_scripts, no_such_field",
                a.headers().get(SdApi.WARNINGS_HEADER), "the same list as a header, in request order");
        assertNull(txt2img("").headers().get(SdApi.WARNINGS_HEADER), "no header when nothing is reported");
    }

    @Test
    void enableHrAppliesTheHiresFix() throws Exception {
        engine.requests().clear();
        HttpTestClient.Answer a = txt2img("\"enable_hr\":true,\"hr_scale\":1.5,\"hr_upscaler\":\"Lanczos\","
                + "\"hr_second_pass_steps\":7,\"denoising_strength\":0.4");
        assertEquals(200, a.status(), a.body());
        assertEquals(List.of(), warnings(a));
        Request.Hires hr = engine.requests().get(engine.requests().size() - 1).hires();
        assertEquals(new Request.Hires(1.5, "Lanczos", 7, 0.4), hr);
        engine.requests().clear();
        txt2img("\"enable_hr\":false,\"hr_scale\":1.5");
        assertNull(engine.requests().get(0).hires(), "enable_hr false: no hires pass");
        HttpTestClient.Answer bad = txt2img("\"enable_hr\":true,\"hr_upscaler\":\"R-ESRGAN 4x+\"");
        assertEquals(422, bad.status(), bad.body());
        assertTrue(bad.body().contains("Lanczos"), bad.body());
    }

    @Test
    void hiresTargetSizeSamplerAndPromptsAreApplied() throws Exception {
        engine.requests().clear();
        HttpTestClient.Answer a = txt2img("\"enable_hr\":true,\"hr_resize_x\":32,\"hr_resize_y\":0,"
                + "\"hr_sampler_name\":\"DPM++ 2M\",\"hr_scheduler\":\"Karras\",\"hr_prompt\":\"a dog\","
                + "\"hr_negative_prompt\":\"blurry\",\"denoising_strength\":0.5");
        assertEquals(200, a.status(), a.body());
        assertEquals(List.of(), warnings(a), "all hires fields are applied");
        assertEquals(new Request.Hires(2.0, "Latent", 0, 0.5, 32, 0, "DPM++ 2M", "Karras", "a dog", "blurry"),
                engine.requests().get(0).hires());
        engine.requests().clear();
        txt2img("\"enable_hr\":true,\"hr_sampler_name\":\"Use same sampler\",\"hr_scheduler\":\"Use same scheduler\"");
        assertEquals(new Request.Hires(2.0, "Latent", 0, 0.75), engine.requests().get(0).hires(), "\"Use same …\" = none");
        HttpTestClient.Answer bad = txt2img("\"enable_hr\":true,\"hr_sampler_name\":\"Restart\"");
        assertEquals(422, bad.status(), bad.body());
        assertTrue(bad.body().contains("hr_sampler_name") && bad.body().contains("Euler a"), bad.body());
        assertEquals(422, txt2img("\"enable_hr\":true,\"hr_resize_x\":-1").status());
        HttpTestClient.Answer tagged = txt2img("\"enable_hr\":true,\"hr_prompt\":\"a dog <lora:ink:0.8>\"");
        assertEquals(200, tagged.status(), tagged.body());
        assertTrue(warnings(tagged).stream().anyMatch(w -> w.startsWith("hr_prompt")), "a LoRA tag there is not silent: " + tagged.body());
    }

    @Test
    void whatTheWebuiapiClientSendsForImg2imgIsNotReported() throws Exception {
        String init = png(SdApiTest.square(16, 16, Color.WHITE, Color.RED, 0, 0, 4, BufferedImage.TYPE_INT_RGB));
        HttpTestClient.Answer a = client.post("/sdapi/v1/img2img", "{\"init_images\":[\"" + init + "\"],\"mask\":null,"
                + "\"resize_mode\":0,\"denoising_strength\":0.75,\"image_cfg_scale\":1.5,\"mask_blur\":4,"
                + "\"inpainting_fill\":0,\"inpaint_full_res\":true,\"inpaint_full_res_padding\":0,"
                + "\"inpainting_mask_invert\":0,\"initial_noise_multiplier\":1,\"styles\":[],\"seed\":-1,"
                + "\"steps\":2,\"cfg_scale\":7.0,\"restore_faces\":false,\"tiling\":false,\"eta\":1.0,"
                + "\"s_noise\":1,\"override_settings\":{},\"include_init_images\":false,\"script_args\":[],"
                + "\"send_images\":true,\"save_images\":false,\"alwayson_scripts\":{}}");
        assertEquals(200, a.status(), a.body());
        assertEquals(List.of(), warnings(a));
    }

    @Test
    void whatTheWebuiapiClientSendsByDefaultIsNotReported() throws Exception {
        // webuiapi's txt2img defaults: the "off" values A1111 itself treats as no-ops
        HttpTestClient.Answer a = txt2img("\"enable_hr\":false,\"denoising_strength\":0.7,\"firstphase_width\":0,"
                + "\"hr_scale\":2,\"hr_upscaler\":\"Latent\",\"hr_second_pass_steps\":0,\"styles\":[],\"subseed\":-1,"
                + "\"subseed_strength\":0.0,\"seed_resize_from_h\":0,\"seed_resize_from_w\":0,\"restore_faces\":false,"
                + "\"tiling\":false,\"do_not_save_samples\":false,\"do_not_save_grid\":false,\"eta\":1.0,\"s_churn\":0,"
                + "\"s_tmax\":0,\"s_tmin\":0,\"s_noise\":1,\"override_settings\":{},\"override_settings_restore_afterwards\":true,"
                + "\"script_args\":[],\"script_name\":null,\"send_images\":true,\"save_images\":false,\"alwayson_scripts\":{},"
                + "\"sampler_index\":null");
        assertEquals(200, a.status(), a.body());
        assertEquals(List.of(), warnings(a));
    }

    /** DiffuseJ's own {@code timestep_spacing} field: applied without a warning, echoed, refused by name when unknown. */
    @Test
    void timestepSpacingIsAppliedAndChecked() throws Exception {
        HttpTestClient.Answer a = txt2img("\"timestep_spacing\":\"trailing\"");
        assertEquals(200, a.status(), a.body());
        assertEquals(List.of(), warnings(a));
        assertEquals("trailing", engine.requests().get(0).timestepSpacing());
        assertEquals("trailing", a.object().getAsJsonObject("parameters").get("timestep_spacing").getAsString());
        assertEquals(200, txt2img("").status());
        assertEquals(null, engine.requests().get(1).timestepSpacing(), "absent: the model's own spacing");
        HttpTestClient.Answer bad = txt2img("\"timestep_spacing\":\"even\"");
        assertEquals(422, bad.status(), bad.body());
        assertTrue(bad.object().get("detail").getAsString().contains("timestep_spacing"), bad.body());
        assertEquals(2, engine.requests().size(), "nothing ran");
    }

    @Test
    void overrideSettingsApplyClipSkipAndRefuseUnknownOptions() throws Exception {
        HttpTestClient.Answer bad = txt2img("\"override_settings\":{\"CLIP_stop_at_last_layers\":2,\"sd_unet\":\"x\",\"eta_noise_seed_delta\":31337}");
        assertEquals(422, bad.status(), bad.body());
        String detail = bad.object().get("detail").getAsString();
        assertTrue(detail.contains("sd_unet") && detail.contains("eta_noise_seed_delta"), detail);
        assertTrue(engine.requests().isEmpty(), "nothing ran");

        assertEquals(200, txt2img("\"override_settings\":{\"CLIP_stop_at_last_layers\":2}").status());
        assertEquals(2, engine.requests().get(0).clipSkip());
        assertEquals(1, client.get("/sdapi/v1/options").object().get("CLIP_stop_at_last_layers").getAsInt(), "restored");

        assertEquals(200, client.post("/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":3}").status());
        assertEquals(200, txt2img("").status());
        assertEquals(3, engine.requests().get(1).clipSkip(), "the stored option applies to later jobs");
        assertEquals(422, client.post("/sdapi/v1/options", "{\"CLIP_stop_at_last_layers\":40}").status());

        assertEquals(200, txt2img("\"override_settings\":{\"CLIP_stop_at_last_layers\":2},\"override_settings_restore_afterwards\":false").status());
        assertEquals(2, client.get("/sdapi/v1/options").object().get("CLIP_stop_at_last_layers").getAsInt(), "kept");
        HttpTestClient.Answer unknownModel = txt2img("\"override_settings\":{\"sd_model_checkpoint\":\"other\"}");
        assertEquals(404, unknownModel.status(), unknownModel.body());
    }

    @Test
    void samplesFormatJpegIsWrittenAndWebpIsReported() throws Exception {
        HttpTestClient.Answer jpg = txt2img("\"override_settings\":{\"samples_format\":\"jpg\",\"jpeg_quality\":90}");
        assertEquals(200, jpg.status(), jpg.body());
        byte[] bytes = Base64.getDecoder().decode(jpg.object().getAsJsonArray("images").get(0).getAsString());
        assertEquals(0xFF, bytes[0] & 0xFF);
        assertEquals(0xD8, bytes[1] & 0xFF, "JPEG start-of-image marker");
        assertEquals(16, HttpTestClient.decode(jpg.object().getAsJsonArray("images").get(0).getAsString()).getWidth());
        assertTrue(warnings(jpg).stream().anyMatch(s -> s.startsWith("samples_format")), warnings(jpg).toString());

        assertEquals(200, client.post("/sdapi/v1/options", "{\"samples_format\":\"webp\"}").status());
        HttpTestClient.Answer webp = txt2img("");
        byte[] png = Base64.getDecoder().decode(webp.object().getAsJsonArray("images").get(0).getAsString());
        assertEquals(0x89, png[0] & 0xFF, "PNG signature");
        assertTrue(warnings(webp).stream().anyMatch(s -> s.contains("webp") && s.contains("no WebP encoder")
                && s.contains("PNG")), warnings(webp).toString());
        assertEquals(422, client.post("/sdapi/v1/options", "{\"samples_format\":\"tiff-ish\"}").status());
    }

    // -- images: mask size, resize modes --

    @Test
    void aMaskOfAnotherSizeIsResizedToTheImage() throws Exception {
        String init = png(SdApiTest.square(32, 32, Color.WHITE, Color.RED, 0, 0, 4, BufferedImage.TYPE_INT_RGB));
        String mask = png(SdApiTest.square(16, 16, Color.BLACK, Color.WHITE, 8, 0, 8, BufferedImage.TYPE_BYTE_GRAY)); // right half
        HttpTestClient.Answer a = client.post("/sdapi/v1/img2img", "{\"init_images\":[\"" + init + "\"],\"mask\":\"" + mask
                + "\",\"steps\":1}");
        assertEquals(200, a.status(), a.body());
        Request r = engine.requests().get(0);
        assertEquals(32, r.mask().width());
        assertEquals(1f, r.mask().get(28, 10));
        assertEquals(0f, r.mask().get(4, 10));
    }

    @Test
    void resizeModeOneCropsAndResizesModeZeroStretches() throws Exception {
        BufferedImage wide = SdApiTest.square(40, 20, Color.WHITE, Color.RED, 0, 0, 10, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = wide.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 10, 20); // red left quarter
        g.dispose();
        String init = png(wide);
        String body = "{\"init_images\":[\"" + init + "\"],\"width\":20,\"height\":20,\"steps\":1,\"resize_mode\":";
        assertEquals(200, client.post("/sdapi/v1/img2img", body + "1}").status());
        assertEquals(1f, engine.requests().get(0).initImage().get(1, 0, 10), 0.02, "crop and resize: the red edge is cropped off");
        assertEquals(200, client.post("/sdapi/v1/img2img", body + "0}").status());
        assertEquals(0f, engine.requests().get(1).initImage().get(1, 0, 10), 0.02, "just resize: the red edge is squashed in");
    }

    @Test
    void resizeModeTwoFillsTheBarsWithTheStretchedEdges() throws Exception {
        // wide 40×20, red left quarter → 20×20: fitted to 20×10 at rows 5–14, rows 0–4 and 15–19 repeat the edge rows
        BufferedImage wide = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = wide.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 20);
        g.setColor(Color.RED);
        g.fillRect(0, 0, 10, 20);
        g.dispose();
        String body = "{\"init_images\":[\"" + png(wide) + "\"],\"width\":20,\"height\":20,\"steps\":1,\"resize_mode\":2}";
        HttpTestClient.Answer a = client.post("/sdapi/v1/img2img", body);
        assertEquals(200, a.status(), a.body());
        assertEquals(List.of(), warnings(a), "mode 2 is applied");
        org.diffusej.engine.RgbImage r = engine.requests().get(0).initImage();
        assertEquals(0f, r.get(1, 2, 0), 0.02, "top bar: the red edge stretched up");
        assertEquals(1f, r.get(1, 15, 0), 0.02, "top bar: the white edge stretched up (not a blank bar)");
        assertEquals(0f, r.get(1, 2, 19), 0.02, "bottom bar");
        for (int y = 0; y < 5; y++) assertEquals(r.get(0, 12, 5), r.get(0, 12, y), 0f, "row " + y + " = the edge row");
        // tall 20×40, red top quarter → bars left and right, columns repeated
        BufferedImage tall = new BufferedImage(20, 40, BufferedImage.TYPE_INT_RGB);
        g = tall.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 20, 40);
        g.setColor(Color.RED);
        g.fillRect(0, 0, 20, 10);
        g.dispose();
        assertEquals(200, client.post("/sdapi/v1/img2img", body.replace(png(wide), png(tall))).status());
        r = engine.requests().get(1).initImage();
        assertEquals(0f, r.get(1, 0, 2), 0.02, "left bar: red top");
        assertEquals(1f, r.get(1, 0, 15), 0.02, "left bar: white below");
        assertEquals(0f, r.get(1, 19, 2), 0.02, "right bar");
    }

    @Test
    void resizeModeThreeIsAJustResizeAndSaysSo() throws Exception {
        String init = png(SdApiTest.square(40, 20, Color.WHITE, Color.RED, 0, 0, 10, BufferedImage.TYPE_INT_RGB));
        String body = "{\"init_images\":[\"" + init + "\"],\"width\":20,\"height\":20,\"steps\":1,\"resize_mode\":";
        HttpTestClient.Answer three = client.post("/sdapi/v1/img2img", body + "3}");
        assertEquals(200, three.status(), three.body());
        assertTrue(warnings(three).stream().anyMatch(s -> s.startsWith("resize_mode")), three.body());
        client.post("/sdapi/v1/img2img", body + "0}");
        assertEquals(engine.requests().get(1).initImage(), engine.requests().get(0).initImage(), "mode 3 = mode 0 here");
        HttpTestClient.Answer same = client.post("/sdapi/v1/img2img", body.replace("\"width\":20,\"height\":20,", "") + "3}");
        assertEquals(List.of(), warnings(same), "no resize, nothing to report");
    }

    // -- interrupt and skip keep images --

    @Test
    void interruptAndSkipKeepWhatWasReached() throws Exception {
        engine = null;
        server.stop();
        FakeEngine slow = new FakeEngine(Picture.FLAT, "slow").stepMillis(20);
        server = BridgeServer.builder(ModelProvider.shared(slow)).port(0).build().start();
        client = new HttpTestClient(server.url());
        CompletableFuture<HttpTestClient.Answer> job = CompletableFuture.supplyAsync(() -> call(
                "{\"steps\":40,\"width\":8,\"height\":8,\"seed\":1,\"n_iter\":3}"));
        waitForStep(slow, 3);
        assertEquals("{}", client.post("/sdapi/v1/skip", "").body());
        waitForStep(slow, 10); // a few steps into the second image (the first ended after 3 or 4)
        client.post("/sdapi/v1/interrupt", "");
        HttpTestClient.Answer a = job.get(30, TimeUnit.SECONDS);
        assertEquals(200, a.status(), a.body());
        assertEquals(2, a.object().getAsJsonArray("images").size(), "the skipped first image and the interrupted second");
        assertEquals("[0,1]", info(a).get("unfinished_images").toString());
        assertTrue(slow.stepsRun() < 40 + 40, "neither image ran all its steps: " + slow.stepsRun());
    }

    private HttpTestClient.Answer call(String body) {
        try {
            return client.post("/sdapi/v1/txt2img", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitForStep(FakeEngine e, int steps) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (e.stepsRun() < steps && System.currentTimeMillis() < deadline) Thread.sleep(5);
    }

    // -- the other endpoints --

    @Test
    void listEndpointsAnswerA1111Shapes() throws Exception {
        for (String list : List.of("sd-vae", "loras" /* no LoRA folder given */, "hypernetworks", "face-restorers", "realesrgan-models",
                "prompt-styles", "latent-upscale-modes", "script-info", "extensions")) {
            HttpTestClient.Answer a = client.get("/sdapi/v1/" + list);
            assertEquals(200, a.status(), list);
            assertEquals("[]", a.body(), list);
        }
        JsonArray up = JsonParser.parseString(client.get("/sdapi/v1/upscalers").body()).getAsJsonArray();
        assertEquals(3, up.size());
        for (int i = 0; i < 3; i++) {
            JsonObject u = up.get(i).getAsJsonObject(); // A1111's UpscalerItem
            assertEquals(List.of("None", "Lanczos", "Nearest").get(i), u.get("name").getAsString());
            assertEquals(Set.of("name", "model_name", "model_path", "model_url", "scale"), u.keySet());
        }
        assertEquals("{\"loaded\":{},\"skipped\":{}}", client.get("/sdapi/v1/embeddings").body());
        assertEquals("{\"txt2img\":[],\"img2img\":[]}", client.get("/sdapi/v1/scripts").body());
        JsonObject flags = client.get("/sdapi/v1/cmd-flags").object();
        assertTrue(flags.get("api").getAsBoolean());
        assertEquals(server.port(), flags.get("port").getAsInt());
        assertTrue(client.post("/sdapi/v1/refresh-checkpoints", "").body().equals("null"));
        assertTrue(client.post("/sdapi/v1/refresh-vae", "").body().equals("null"));
        assertEquals("{}", client.post("/sdapi/v1/unload-checkpoint", "").body());
        assertEquals("{}", client.post("/sdapi/v1/reload-checkpoint", "").body());
        assertEquals("{}", client.post("/sdapi/v1/skip", "").body(), "skip with nothing running");
    }

    @Test
    void memoryHasRealRamNumbersInA1111sShape() throws Exception {
        JsonObject m = client.get("/sdapi/v1/memory").object();
        JsonObject ram = m.getAsJsonObject("ram");
        long total = ram.get("total").getAsLong(), used = ram.get("used").getAsLong(), free = ram.get("free").getAsLong();
        long jvmTotal = Runtime.getRuntime().totalMemory();
        assertTrue(total > 64L << 20 && used > 0 && used <= total, ram.toString());
        assertEquals(total - used, free, "A1111: free = total - used (used is this process)");
        assertTrue(used >= jvmTotal / 4, "used is at least a part of this JVM's heap: " + used + " vs " + jvmTotal);
        JsonObject cuda = m.getAsJsonObject("cuda");
        assertTrue(cuda.has("error") || cuda.getAsJsonObject("system").get("total").getAsLong() > 0, cuda.toString());
    }

    @Test
    void pngInfoReadsOurAndA1111sParametersText() throws Exception {
        HttpTestClient.Answer gen = txt2img("\"negative_prompt\":\"dog\"");
        String image = gen.object().getAsJsonArray("images").get(0).getAsString();
        HttpTestClient.Answer a = client.post("/sdapi/v1/png-info", "{\"image\":\"data:image/png;base64," + image + "\"}");
        assertEquals(200, a.status(), a.body());
        String text = ImageCodec.readParameters(Base64.getDecoder().decode(image));
        assertEquals(text, a.object().get("info").getAsString());
        JsonObject p = a.object().getAsJsonObject("parameters");
        assertEquals("a cat", p.get("Prompt").getAsString());
        assertEquals("dog", p.get("Negative prompt").getAsString());
        assertEquals("42", p.get("Seed").getAsString());
        assertTrue(a.object().get("items").isJsonObject());

        String a1111 = "masterpiece, (a cat:1.2)\nNegative prompt: lowres\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Karras, "
                + "CFG scale: 7, Seed: 1234, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Version: v1.10.1";
        String png = Base64.getEncoder().encodeToString(ImageCodec.png(org.diffusej.engine.RgbImage.blank(8, 8), a1111));
        JsonObject q = client.post("/sdapi/v1/png-info", "{\"image\":\"" + png + "\"}").object();
        assertEquals(a1111, q.get("info").getAsString());
        JsonObject qp = q.getAsJsonObject("parameters");
        assertEquals("512", qp.get("Size-1").getAsString());
        assertEquals("768", qp.get("Size-2").getAsString());
        assertEquals("Karras", qp.get("Schedule type").getAsString());
        String blank = Base64.getEncoder().encodeToString(ImageCodec.png(org.diffusej.engine.RgbImage.blank(8, 8), null));
        JsonObject none = client.post("/sdapi/v1/png-info", "{\"image\":\"" + blank + "\"}").object();
        assertEquals("", none.get("info").getAsString());
        assertEquals(422, client.post("/sdapi/v1/png-info", "{}").status());
    }

    @Test
    void openapiDescribesExactlyTheRoutesTheServerAnswers() throws Exception {
        JsonObject doc = client.get("/openapi.json").object();
        Set<String> described = new HashSet<>();
        for (Map.Entry<String, JsonElement> p : doc.getAsJsonObject("paths").entrySet())
            for (String method : p.getValue().getAsJsonObject().keySet()) described.add(method.toUpperCase() + " " + p.getKey());
        Set<String> routed = new HashSet<>();
        for (Routes.Entry e : server.routes().entries())
            routed.add(e.method() + " " + SdApiInfo.OpenApi.template(e.path()));
        assertEquals(routed, described);
        for (String needed : List.of("POST /sdapi/v1/extra-single-image", "POST /sdapi/v1/extra-batch-images",
                "POST /sdapi/v1/interrogate", "GET /sdapi/v1/upscalers", "POST /sdapi/v1/skip", "POST /sdapi/v1/png-info", "GET /sdapi/v1/memory",
                "GET /sdapi/v1/cmd-flags", "GET /sdapi/v1/loras", "GET /openapi.json", "POST /sdapi/v1/unload-checkpoint"))
            assertTrue(described.contains(needed), needed);
        for (String route : described) {
            if (route.contains("{") || route.endsWith("txt2img") || route.endsWith("img2img") || route.contains("/jobs")) continue;
            String[] mp = route.split(" ", 2);
            HttpTestClient.Answer a = mp[0].equals("GET") ? client.get(mp[1]) : client.post(mp[1], "{}");
            assertNotEquals(404, a.status(), route + " -> " + a.body());
            assertNotEquals(405, a.status(), route + " -> " + a.body());
        }
        JsonArray servers = doc.getAsJsonArray("servers");
        assertNull(servers, "no server URLs: clients use the one they called");
    }

    // -- extras (postprocessing) and interrogate --

    private static BufferedImage stripes(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, x % 2 == 0 ? 0xFF0000 : 0x0000FF);
        return img;
    }

    @Test
    void extraSingleImageUpscalesWithTheBuiltInUpscalers() throws Exception {
        String img = png(stripes(20, 12));
        // Nearest by 2: 40×24 (a multiple of 8 already), each source pixel doubled
        HttpTestClient.Answer a = client.post("/sdapi/v1/extra-single-image", "{\"image\":\"" + img
                + "\",\"upscaler_1\":\"Nearest\",\"upscaling_resize\":2}");
        assertEquals(200, a.status(), a.body());
        assertEquals(Set.of("html_info", "image"), a.object().keySet(), "ExtrasSingleImageResponse");
        BufferedImage out = HttpTestClient.decode(a.object().get("image").getAsString());
        assertEquals(40, out.getWidth());
        assertEquals(24, out.getHeight());
        assertEquals(0xFF0000, out.getRGB(1, 5) & 0xFFFFFF, "nearest keeps the stripes: x 0–1 red");
        assertEquals(0x0000FF, out.getRGB(2, 5) & 0xFFFFFF, "x 2–3 blue");
        assertEquals("<p>Postprocess upscale by: 2, Postprocess upscaler: Nearest</p>", a.object().get("html_info").getAsString());
        // Lanczos by 1.5: int(30 // 8 * 8) = 24 wide, int(18 // 8 * 8) = 16 high (A1111 rounds down to 8)
        BufferedImage l = HttpTestClient.decode(client.post("/sdapi/v1/extra-single-image", "{\"image\":\"" + img
                + "\",\"upscaler_1\":\"Lanczos\",\"upscaling_resize\":1.5}").object().get("image").getAsString());
        assertEquals(24, l.getWidth());
        assertEquals(16, l.getHeight());
        // None: unchanged
        BufferedImage n = HttpTestClient.decode(client.post("/sdapi/v1/extra-single-image", "{\"image\":\"" + img + "\"}")
                .object().get("image").getAsString());
        assertEquals(20, n.getWidth());
        assertEquals(0xFF0000, n.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void extraSingleImageToASizeCropsAroundTheCentre() throws Exception {
        String img = png(stripes(20, 10));
        // to 32×32: factor max(32/20, 32/10) = 3.2 → 64×32, pasted centred on 32×32 (crop)
        HttpTestClient.Answer a = client.post("/sdapi/v1/extra-single-image", "{\"image\":\"" + img + "\",\"resize_mode\":1,"
                + "\"upscaler_1\":\"Nearest\",\"upscaling_resize_w\":32,\"upscaling_resize_h\":32}");
        assertEquals(200, a.status(), a.body());
        BufferedImage out = HttpTestClient.decode(a.object().get("image").getAsString());
        assertEquals(32, out.getWidth());
        assertEquals(32, out.getHeight());
        assertTrue(a.object().get("html_info").getAsString().contains("Postprocess upscale to: 32x32, Postprocess crop to: 32x32"));
        HttpTestClient.Answer noCrop = client.post("/sdapi/v1/extra-single-image", "{\"image\":\"" + img
                + "\",\"resize_mode\":1,\"upscaler_1\":\"Lanczos\",\"upscaling_resize_w\":32,\"upscaling_resize_h\":32,"
                + "\"upscaling_crop\":false}");
        assertEquals(64, HttpTestClient.decode(noCrop.object().get("image").getAsString()).getWidth(), "no crop: 64×32");
    }

    @Test
    void extraBatchImagesAnswersOneImagePerEntryAndReportsFaceRestoration() throws Exception {
        String img = png(stripes(16, 8));
        HttpTestClient.Answer a = client.post("/sdapi/v1/extra-batch-images", "{\"imageList\":[{\"data\":\"" + img
                + "\",\"name\":\"a.png\"},{\"data\":\"" + img + "\",\"name\":\"b.png\"}],\"upscaler_1\":\"Lanczos\","
                + "\"upscaling_resize\":2,\"upscaler_2\":\"Nearest\",\"extras_upscaler_2_visibility\":0.5,"
                + "\"gfpgan_visibility\":0.3}");
        assertEquals(200, a.status(), a.body());
        assertEquals(Set.of("html_info", "images"), a.object().keySet(), "ExtrasBatchImagesResponse");
        JsonArray images = a.object().getAsJsonArray("images");
        assertEquals(2, images.size());
        assertEquals(32, HttpTestClient.decode(images.get(1).getAsString()).getWidth());
        String html = a.object().get("html_info").getAsString();
        assertTrue(html.contains("Postprocess upscaler 2: Nearest"), html);
        assertTrue(html.contains("gfpgan_visibility: face restoration"), html);
        assertEquals("gfpgan_visibility", a.headers().get(SdApi.WARNINGS_HEADER));
        HttpTestClient.Answer bad = client.post("/sdapi/v1/extra-single-image", "{\"image\":\"" + img
                + "\",\"upscaler_1\":\"R-ESRGAN 4x+\"}");
        assertEquals(422, bad.status(), bad.body());
        assertTrue(bad.body().contains("Lanczos"), bad.body());
        assertEquals(422, client.post("/sdapi/v1/extra-batch-images", "{\"upscaler_1\":\"Lanczos\"}").status());
    }

    @Test
    void interrogateSaysWhyItCannot() throws Exception {
        String img = png(stripes(8, 8));
        HttpTestClient.Answer a = client.post("/sdapi/v1/interrogate", "{\"image\":\"" + img + "\",\"model\":\"clip\"}");
        assertEquals(501, a.status(), a.body());
        assertTrue(a.object().get("detail").getAsString().contains("BLIP"), a.body());
        assertEquals(501, client.post("/sdapi/v1/interrogate", "{\"image\":\"" + img + "\",\"model\":\"deepdanbooru\"}").status());
        assertEquals(404, client.post("/sdapi/v1/interrogate", "{\"image\":\"" + img + "\",\"model\":\"x\"}").status(),
                "an unknown model: A1111's 404 Model not found");
    }
}
