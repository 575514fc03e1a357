package org.diffusej.bridge;

import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.lora.InvalidLoraException;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Errors never carry the server's absolute paths or a file's bytes to a client: a corrupt model in a temporary
 * {@code --models} folder, read by the real checkpoint parser, fails a model switch, a job's override and a reload
 * with answers naming neither the temporary folder nor the home folder; {@link ErrorReplies} maps every other failure.
 */
class ErrorRepliesTest {
    /** What the file holds: a passwd line, whose first 8 bytes the parser reads as a header length. */
    private static final String CONTENT = "root:*:0:0:root:/root:/bin/bash\n";
    @TempDir Path dir;
    private BridgeServer server;
    private HttpTestClient client;
    private final AtomicInteger flakyLoads = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.writeString(models.resolve("a.safetensors"), "stand-in: the test loader ignores it");
        Files.writeString(models.resolve("corrupt.safetensors"), CONTENT);
        Files.writeString(models.resolve("flaky.safetensors"), "stand-in, corrupted after its first load");
        FolderModelProvider provider = new FolderModelProvider(models, p -> {
            String stem = p.getFileName().toString().replace(".safetensors", "");
            if (stem.equals("a") || stem.equals("flaky") && flakyLoads.getAndIncrement() == 0)
                return new FakeEngine(Picture.FLAT, stem).stepMillis(1);
            return new Pipeline(StableDiffusionModel.load(p, ModelOptions.cpu())); // the real parser
        }, null);
        server = BridgeServer.builder(provider).port(0).closeModelsOnStop(true).build().start();
        client = new HttpTestClient(server.url());
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** The number the real parser quotes for this content: its first 8 bytes, little-endian. */
    private static String leakedBytes() {
        byte[] b = CONTENT.getBytes(StandardCharsets.US_ASCII);
        return Long.toUnsignedString(ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }

    private void assertLeaksNothing(HttpTestClient.Answer a) {
        String body = a.body();
        assertFalse(body.contains(dir.toString()), "the temporary folder reached the client: " + body);
        assertFalse(body.contains(System.getProperty("user.home")), "the home folder reached the client: " + body);
        assertFalse(body.contains(System.getProperty("java.io.tmpdir")), "the temp folder reached the client: " + body);
        assertFalse(body.contains(leakedBytes()) || body.contains("root:*"), "file bytes reached the client: " + body);
        assertFalse(body.matches("(?s).*\\b(java|org|com)\\.[a-z]+\\.[A-Za-z.]*(Exception|Error)\\b.*"),
                "a Java class name reached the client: " + body);
    }

    @Test
    void theRealParsersMessageReallyHoldsTheFolderAndTheBytes() {
        // Guard: the assertions below mean something only if the unfiltered message would leak.
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(InvalidCheckpointException.class,
                () -> StableDiffusionModel.load(dir.resolve("models/corrupt.safetensors"), ModelOptions.cpu()));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains(leakedBytes()), e.getMessage());
    }

    @Test
    void aCorruptModelFailsASwitchAnOverrideAndAReloadWithoutLeaking() throws Exception {
        HttpTestClient.Answer sw = client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"corrupt\"}");
        assertEquals(500, sw.status(), sw.body());
        assertTrue(sw.object().get("detail").getAsString().contains("could not be loaded"), sw.body());
        assertLeaksNothing(sw);

        HttpTestClient.Answer job = client.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8,"
                + "\"override_settings\":{\"sd_model_checkpoint\":\"corrupt.safetensors\"}}");
        assertEquals(500, job.status(), job.body());
        assertLeaksNothing(job);

        // flaky loads once, is unloaded, then its file turns out corrupt: reload and the next job fail cleanly
        assertEquals(200, client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"flaky\"}").status());
        assertEquals(200, client.post("/sdapi/v1/unload-checkpoint", "").status());
        HttpTestClient.Answer reload = client.post("/sdapi/v1/reload-checkpoint", "");
        assertEquals(500, reload.status(), reload.body());
        assertLeaksNothing(reload);
        HttpTestClient.Answer afterUnload = client.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8}");
        assertEquals(500, afterUnload.status(), afterUnload.body());
        assertLeaksNothing(afterUnload);
        HttpTestClient.Answer health = client.get("/diffusej/v1/health"); // no model can be loaded: unhealthy
        assertEquals(500, health.status(), health.body());
        assertLeaksNothing(health);
        assertEquals(200, client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"a\"}").status());
        assertEquals(200, client.get("/diffusej/v1/health").status(), "selecting a good model recovers the server");
    }

    @Test
    void engineMessagesLoseServerPathsButKeepTheirSense() {
        String home = System.getProperty("user.home");
        ApiException a = ErrorReplies.of(new DiffusionException("Cannot use " + dir.resolve("models/x.safetensors")
                + ": it is an SDXL model. See " + home + "/notes/readme.txt, or C:\\Users\\me\\y.safetensors."));
        assertEquals(500, a.status());
        assertEquals("Cannot use x.safetensors: it is an SDXL model. See readme.txt, or y.safetensors.", a.detail());
        // a client's endpoint path is not a server path
        assertEquals("No endpoint /sdapi/v1/nothing here.",
                ErrorReplies.of(new InvalidRequestException("No endpoint /sdapi/v1/nothing here.")).detail());
        // a path with a space cannot be cut at its end, but the home folder never shows
        String spaced = ErrorReplies.withoutPaths("see the LoRA at " + home + "/My Models/x.safetensors.");
        assertFalse(spaced.contains(home), spaced);
        assertTrue(spaced.endsWith("x.safetensors."), spaced);
    }

    @Test
    void failuresWhileReadingAFileAreNotQuoted() {
        InvalidCheckpointException bad = new InvalidCheckpointException("Not a valid safetensors file: "
                + dir.resolve("l.safetensors") + ": the header length field says " + leakedBytes() + " bytes");
        ApiException lora = ErrorReplies.of(new InvalidLoraException("Cannot read the LoRA l.safetensors: "
                + bad.getMessage(), bad));
        assertEquals(422, lora.status());
        assertFalse(lora.detail().contains(leakedBytes()) || lora.detail().contains(dir.toString()), lora.detail());
        assertTrue(lora.detail().contains("could not be read"), lora.detail());
        ApiException io = ErrorReplies.of(new DiffusionException("x", new IOException("/etc/shadow: Permission denied")));
        assertEquals(500, io.status());
        assertFalse(io.detail().contains("shadow"), io.detail());
    }

    @Test
    void unexpectedFailuresAreAFixedSentenceWithoutAJavaClassName() {
        for (Throwable t : List.of(new NullPointerException("Cannot invoke \"java.nio.file.Path.toString()\""),
                new IllegalStateException("x"), new StackOverflowError(), new UnsupportedOperationException())) {
            ApiException a = ErrorReplies.of(t);
            assertEquals(500, a.status(), t.toString());
            assertEquals("ServerError", a.error());
            assertFalse(a.detail().contains("java") || a.detail().contains("Exception"), a.detail());
        }
        ApiException oom = ErrorReplies.of(new OutOfMemoryError("Java heap space"));
        assertEquals(503, oom.status());
        ApiException mine = ApiException.badRequest("steps: must be a number");
        assertSame(mine, ErrorReplies.of(mine), "the bridge's own sentences pass as they are");
    }
}
