package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import org.diffusej.engine.DiffusionException;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code sd_model_checkpoint} selects only what {@code /sdapi/v1/sd-models} lists: paths are never opened, load
 * errors never reach the client with file bytes or folders, and a failed switch (any Throwable) keeps the old model.
 */
class ModelSelectionTest {
    /** What a loader error may say about a file that is not a checkpoint: its first 8 bytes as a number. */
    private static final String LEAKY = "header length field says 3619251681095544690";
    @TempDir Path dir;
    private Path models;
    private Path secret;
    private final List<Path> opened = new CopyOnWriteArrayList<>();
    private BridgeServer server;
    private HttpTestClient client;

    @BeforeEach
    void start() throws Exception {
        models = Files.createDirectories(dir.resolve("models"));
        for (String n : List.of("a", "b", "broken", "leaky")) Files.writeString(models.resolve(n + ".safetensors"), "x");
        secret = Files.writeString(dir.resolve("secret.safetensors"), "root:*:0:0");
        FolderModelProvider provider = new FolderModelProvider(models, p -> {
            opened.add(p);
            String stem = p.getFileName().toString().replace(".safetensors", "");
            if (stem.equals("broken")) throw new StackOverflowError(); // e.g. a header nested 200k deep
            if (stem.equals("leaky")) throw new DiffusionException(p.toAbsolutePath() + ": " + LEAKY);
            return new FakeEngine(Picture.FLAT, stem).stepMillis(1);
        }, null);
        server = BridgeServer.builder(provider).port(0).closeModelsOnStop(true).build().start();
        client = new HttpTestClient(server.url());
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private String currentModel() throws Exception {
        return client.get("/sdapi/v1/options").object().get("sd_model_checkpoint").getAsString();
    }

    private HttpTestClient.Answer select(String name) throws Exception {
        return client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":" + new com.google.gson.JsonPrimitive(name) + "}");
    }

    @Test
    void pathsOutsideTheListAreNeverOpened() throws Exception {
        for (String path : List.of(secret.toString(), "../secret.safetensors", "../secret", models.resolve("../secret.safetensors").toString(),
                "/etc/passwd", models.resolve("a.safetensors").toString())) {
            HttpTestClient.Answer a = select(path);
            assertEquals(404, a.status(), path + " -> " + a.body());
            // The same answer whether or not the file exists, and nothing but the client's own words.
            assertEquals("Model '" + path + "' is not one of this server's models; /sdapi/v1/sd-models lists them.",
                    a.object().get("detail").getAsString());
        }
        String job = "{\"steps\":1,\"width\":8,\"height\":8,\"override_settings\":{\"sd_model_checkpoint\":\"" + secret + "\"}}";
        HttpTestClient.Answer refused = client.post("/sdapi/v1/txt2img", job);
        assertEquals(404, refused.status(), "an override naming an unlisted checkpoint is refused, not run on the current model");
        assertTrue(refused.object().get("detail").getAsString().contains("override_settings"), refused.body());
        assertEquals(List.of(models.resolve("a.safetensors")), opened, "only the first listed model was ever opened");
        assertEquals("a.safetensors [0123456789]", currentModel());
    }

    @Test
    void listedNamesTitlesFileNamesAndHashesSelect() throws Exception {
        JsonArray listed = client.get("/sdapi/v1/sd-models").json().getAsJsonArray();
        assertEquals(4, listed.size());
        for (JsonElement e : listed)
            assertFalse(e.getAsJsonObject().get("filename").getAsString().contains(dir.toString()), "absolute path listed: " + e);
        assertEquals(200, select("b").status());
        assertEquals("b.safetensors [0123456789]", currentModel());
        assertEquals(200, select("a.safetensors").status());
        assertEquals("a.safetensors [0123456789]", currentModel());
        assertEquals(200, select("0123456789").status(), "the loaded model's hash selects it");
        assertEquals(List.of("a", "b", "a"), opened.stream().map(p -> p.getFileName().toString().replace(".safetensors", "")).toList());
    }

    @Test
    void aFailedSwitchKeepsThePreviousModelServingAndLeaksNothing() throws Exception {
        assertEquals(200, select("b").status());
        for (String bad : List.of("broken", "leaky [0123456789]", "leaky")) {
            HttpTestClient.Answer a = select(bad);
            assertEquals(500, a.status(), a.body());
            String detail = a.object().get("detail").getAsString();
            assertTrue(detail.contains("could not be loaded") && detail.contains("'b.safetensors [0123456789]' stays loaded"), detail);
            assertFalse(a.body().contains("3619251681095544690"), "file bytes reached the client: " + a.body());
            assertFalse(a.body().contains(dir.toString()), "a folder reached the client: " + a.body());
            assertFalse(a.body().contains("StackOverflow"), a.body());
            assertEquals("b.safetensors [0123456789]", currentModel());
            assertEquals(200, client.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8}").status());
            assertEquals(200, client.get("/diffusej/v1/health").status());
        }
    }

    private com.google.gson.JsonObject info(HttpTestClient.Answer a) {
        return com.google.gson.JsonParser.parseString(a.object().get("info").getAsString()).getAsJsonObject();
    }

    @Test
    void overrideSettingsCheckpointRunsTheJobOnItAndRestoresAfterwards() throws Exception {
        String job = "{\"steps\":1,\"width\":8,\"height\":8,\"override_settings\":{\"sd_model_checkpoint\":\"b\"}";
        HttpTestClient.Answer a = client.post("/sdapi/v1/txt2img", job + "}");
        assertEquals(200, a.status(), a.body());
        assertEquals("b", info(a).get("sd_model_name").getAsString(), "the job ran on the override's model");
        assertEquals("a.safetensors [0123456789]", currentModel(), "restored afterwards (A1111's default)");
        HttpTestClient.Answer kept = client.post("/sdapi/v1/txt2img", job + ",\"override_settings_restore_afterwards\":false}");
        assertEquals(200, kept.status(), kept.body());
        assertEquals("b.safetensors [0123456789]", currentModel(), "override_settings_restore_afterwards=false keeps it");
        assertEquals(List.of("a", "b", "a", "b"), opened.stream().map(p -> p.getFileName().toString().replace(".safetensors", "")).toList());
    }

    @Test
    void unloadAndReloadCheckpoint() throws Exception {
        HttpTestClient.Answer u = client.post("/sdapi/v1/unload-checkpoint", "");
        assertEquals(200, u.status(), u.body());
        assertEquals("{}", u.body());
        assertEquals("a.safetensors [0123456789]", currentModel(), "still the selected checkpoint while unloaded");
        assertEquals(4, client.get("/sdapi/v1/sd-models").json().getAsJsonArray().size());
        assertEquals(1, opened.size(), "nothing loaded by reading options or the list");
        assertEquals(200, client.post("/sdapi/v1/reload-checkpoint", "").status());
        assertEquals(2, opened.size(), "reload-checkpoint loads it again");
        assertEquals(200, client.post("/sdapi/v1/reload-checkpoint", "").status());
        assertEquals(2, opened.size(), "reloading a loaded model does nothing");
        client.post("/sdapi/v1/unload-checkpoint", "");
        assertEquals(200, client.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8}").status());
        assertEquals(3, opened.size(), "the next job loads the unloaded model");
    }
}
