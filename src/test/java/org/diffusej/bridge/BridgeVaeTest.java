package org.diffusej.bridge;

import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.SdxlVaeOverrideTest;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A1111's {@code sd_vae} on the real engine (sdxl-tiny): {@code /sdapi/v1/sd-vae} lists the VAE folder by relative
 * names; selecting a VAE through the options or {@code override_settings} changes the image (a copy of the model's
 * VAE with a shifted decoder bias) and writes "VAE hash"/"VAE"; the unshifted copy gives Automatic's image (within
 * one 8-bit step); bad names are a 404 naming the field, a file that is no VAE keeps the previous VAE serving; no
 * answer carries a server path.
 */
class BridgeVaeTest {
    private static final String REQUEST = "{\"prompt\":\"a photo of a cat\",\"seed\":5,\"steps\":2,\"width\":64,"
            + "\"height\":64,\"sampler_name\":\"Euler\",\"cfg_scale\":5";
    private static BridgeServer server;
    private static HttpTestClient client;
    private static Path dir;
    private static Path shifted;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("bridge-vae");
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("sdxl-tiny"), Fixtures.diffusersDir("sdxl-tiny").toAbsolutePath());
        Path vaes = Files.createDirectories(dir.resolve("vaes/sub"));
        Path single = Fixtures.singleFile("sdxl-tiny");
        shifted = SdxlVaeOverrideTest.vaeFile(single, vaes.getParent().resolve("shifted_vae.safetensors"), 0.25f);
        SdxlVaeOverrideTest.vaeFile(single, vaes.resolve("same.safetensors"), 0f);
        Files.copy(Fixtures.lora("kohya_alpha1.safetensors"), vaes.getParent().resolve("not_a_vae.safetensors"));
        Files.writeString(vaes.getParent().resolve("notes.txt"), "not a VAE");
        FolderModelProvider provider = new FolderModelProvider(models, (p, vae) -> new Pipeline(StableDiffusionModel.load(p,
                vae.file() != null ? ModelOptions.cpu().withVae(vae.file()) : ModelOptions.cpu())), "sdxl-tiny");
        server = BridgeServer.builder(provider).port(0).closeModelsOnStop(true)
                .vaes(VaeFolders.of(List.of(vaes.getParent()))).build().start();
        client = new HttpTestClient(server.url());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    private static HttpTestClient.Answer txt2img(String extra) throws Exception {
        HttpTestClient.Answer a = client.post("/sdapi/v1/txt2img", REQUEST + extra + "}");
        assertEquals(200, a.status(), a.body());
        return a;
    }

    private static String image(HttpTestClient.Answer a) { return a.object().getAsJsonArray("images").get(0).getAsString(); }

    private static JsonObject info(HttpTestClient.Answer a) {
        return JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
    }

    /** Largest difference of one 8-bit channel between two PNGs. */
    private static int maxDiff(String a, String b) throws Exception {
        BufferedImage x = HttpTestClient.decode(a), y = HttpTestClient.decode(b);
        int max = 0;
        for (int j = 0; j < x.getHeight(); j++)
            for (int i = 0; i < x.getWidth(); i++)
                for (int s = 0; s <= 16; s += 8)
                    max = Math.max(max, Math.abs((x.getRGB(i, j) >> s & 0xff) - (y.getRGB(i, j) >> s & 0xff)));
        return max;
    }

    private static void noServerPath(HttpTestClient.Answer a) throws Exception {
        assertFalse(a.body().contains(dir.toString()) || a.body().contains(dir.toRealPath().toString()),
                "no server path: " + a.body());
    }

    @Test
    void listsTheVaeFolderByRelativeNames() throws Exception {
        HttpTestClient.Answer a = client.get("/sdapi/v1/sd-vae");
        assertEquals(200, a.status(), a.body());
        JsonArray list = a.json().getAsJsonArray();
        assertEquals(3, list.size(), a.body());
        assertEquals("not_a_vae.safetensors", list.get(0).getAsJsonObject().get("model_name").getAsString());
        assertEquals("shifted_vae.safetensors", list.get(1).getAsJsonObject().get("model_name").getAsString());
        assertEquals("sub/same.safetensors", list.get(2).getAsJsonObject().get("model_name").getAsString());
        assertEquals("sub/same.safetensors", list.get(2).getAsJsonObject().get("filename").getAsString());
        noServerPath(a);
        assertEquals(200, client.post("/sdapi/v1/refresh-vae", "{}").status());
        assertTrue(client.get("/openapi.json").object().getAsJsonObject("paths").has("/sdapi/v1/sd-vae"));
    }

    @Test
    void switchingTheVaeChangesTheImageAndTheInfotext() throws Exception {
        String automatic = image(txt2img(""));
        assertEquals("Automatic", client.get("/sdapi/v1/options").object().get("sd_vae").getAsString());

        assertEquals(200, client.post("/sdapi/v1/options", "{\"sd_vae\":\"shifted_vae.safetensors\"}").status());
        assertEquals("shifted_vae.safetensors", client.get("/sdapi/v1/options").object().get("sd_vae").getAsString());
        HttpTestClient.Answer withShifted = txt2img("");
        assertTrue(maxDiff(automatic, image(withShifted)) > 10, "another VAE changes the image");
        String hash = Fixtures.sha256Hex(Files.readAllBytes(shifted)).substring(0, 10);
        String infotext = info(withShifted).getAsJsonArray("infotexts").get(0).getAsString();
        assertTrue(infotext.contains("Model: sdxl-tiny, VAE hash: " + hash + ", VAE: shifted_vae.safetensors"), infotext);
        assertEquals("shifted_vae.safetensors", info(withShifted).get("sd_vae_name").getAsString());
        assertEquals(hash, info(withShifted).get("sd_vae_hash").getAsString());

        assertEquals(200, client.post("/sdapi/v1/options", "{\"sd_vae\":\"sub/same.safetensors\"}").status());
        assertTrue(maxDiff(automatic, image(txt2img(""))) <= 1, "the model's own VAE tensors: Automatic's image");

        assertEquals(200, client.post("/sdapi/v1/options", "{\"sd_vae\":\"None\"}").status());
        HttpTestClient.Answer none = txt2img("");
        assertTrue(maxDiff(automatic, image(none)) <= 1, "None: the model's own VAE");
        assertFalse(info(none).getAsJsonArray("infotexts").get(0).getAsString().contains("VAE"), "no VAE lines");

        HttpTestClient.Answer once = txt2img(",\"override_settings\":{\"sd_vae\":\"shifted_vae.safetensors\"}");
        assertTrue(maxDiff(image(withShifted), image(once)) <= 1, "override_settings.sd_vae applies to the job");
        assertEquals("None", client.get("/sdapi/v1/options").object().get("sd_vae").getAsString(), "restored afterwards");
        assertTrue(maxDiff(automatic, image(txt2img(""))) <= 1, "the previous VAE serves again");

        assertEquals(200, client.post("/sdapi/v1/options", "{\"sd_vae\":\"Automatic\"}").status());
    }

    @Test
    void badNamesAreRefusedNamingTheFieldAndAFailedLoadKeepsThePreviousVae() throws Exception {
        String before = client.get("/sdapi/v1/options").object().get("sd_vae").getAsString();
        for (String name : List.of("../models/sdxl-tiny/vae/diffusion_pytorch_model.safetensors", shifted.toString(),
                "notes.txt", "missing.safetensors")) {
            HttpTestClient.Answer a = client.post("/sdapi/v1/options", "{\"sd_vae\":" + new com.google.gson.JsonPrimitive(name) + "}");
            assertEquals(404, a.status(), a.body());
            assertTrue(a.object().get("detail").getAsString().startsWith("sd_vae:"), a.body());
            HttpTestClient.Answer o = client.post("/sdapi/v1/txt2img", REQUEST + ",\"override_settings\":{\"sd_vae\":"
                    + new com.google.gson.JsonPrimitive(name) + "}}");
            assertEquals(404, o.status(), o.body());
            assertTrue(o.object().get("detail").getAsString().startsWith("override_settings.sd_vae:"), o.body());
        }
        HttpTestClient.Answer notVae = client.post("/sdapi/v1/options", "{\"sd_vae\":\"not_a_vae.safetensors\"}");
        assertEquals(500, notVae.status(), notVae.body());
        assertTrue(notVae.object().get("detail").getAsString().contains("sd_vae"), notVae.body());
        noServerPath(notVae);
        assertEquals(before, client.get("/sdapi/v1/options").object().get("sd_vae").getAsString(), "unchanged");
        txt2img(""); // the model still serves
    }

    @Test
    void aSharedEngineKeepsItsVae() throws Exception {
        BridgeServer shared = BridgeServer.builder(ModelProvider.shared(new FakeEngine(Picture.FLAT, "tiny").stepMillis(1))).port(0).build().start();
        try {
            HttpTestClient c = new HttpTestClient(shared.url());
            assertEquals(200, c.post("/sdapi/v1/options", "{\"sd_vae\":\"Automatic\"}").status());
            HttpTestClient.Answer none = c.post("/sdapi/v1/options", "{\"sd_vae\":\"None\"}");
            assertEquals(409, none.status(), none.body());
            assertTrue(none.object().get("detail").getAsString().contains("sd_vae"), none.body());
            assertEquals("Automatic", c.get("/sdapi/v1/options").object().get("sd_vae").getAsString());
        } finally {
            shared.stop();
        }
    }
}
