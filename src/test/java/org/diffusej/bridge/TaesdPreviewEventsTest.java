package org.diffusej.bridge;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live previews in the native job events: with TAESD attached (as {@code diffusej serve --taesd} does) the real
 * pipeline's progress events carry base64 PNG previews at TAESD's full size (sd1-tiny: 32² latents × 8 = 256²), at
 * most one a second; the throttle itself on a fake clock.
 */
class TaesdPreviewEventsTest {

    @Test
    void progressEventsCarryFullSizeTaesdPreviews() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             TaesdWeightSource w = TaesdWeightSource.open(Fixtures.variant("taesd"))) {
            Pipeline p = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()));
            p.useTaesd(Taesd.load(w, m, DataType.FLOAT32), false);
            BridgeServer server = BridgeServer.builder(ModelProvider.shared(p)).port(0).closeModelsOnStop(true).build().start();
            try {
                HttpTestClient client = new HttpTestClient(server.url());
                long started = System.nanoTime();
                HttpTestClient.Answer a = client.post("/diffusej/v1/jobs",
                        "{\"mode\":\"txt2img\",\"prompt\":\"a cat\",\"steps\":3,\"width\":64,\"height\":64,\"seed\":3}");
                assertEquals(202, a.status(), a.body());
                List<JsonObject> events = follow(client, a.object().get("job_id").getAsString());
                double seconds = (System.nanoTime() - started) / 1e9;
                List<BufferedImage> previews = new ArrayList<>();
                for (JsonObject e : events) {
                    if (!e.has("preview")) continue;
                    assertEquals("progress", e.get("event").getAsString(), "previews come with progress only");
                    previews.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(e.get("preview").getAsString()))));
                }
                assertFalse(previews.isEmpty(), "no preview in " + events);
                assertTrue(previews.size() <= 1 + seconds, previews.size() + " previews in " + seconds + " s");
                for (BufferedImage b : previews) {
                    assertEquals(256, b.getWidth(), "TAESD preview width (32² latents × 8)");
                    assertEquals(256, b.getHeight());
                }
                assertEquals("finished", events.get(events.size() - 1).get("event").getAsString());
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void throttleLetsTheFirstThroughThenOncePerInterval() {
        AtomicLong now = new AtomicLong(5);
        PreviewThrottle t = new PreviewThrottle(PreviewThrottle.INTERVAL_NANOS, now::get);
        assertTrue(t.due(), "the first preview at once");
        now.addAndGet(PreviewThrottle.INTERVAL_NANOS - 1);
        assertFalse(t.due(), "not within the interval");
        now.addAndGet(1);
        assertTrue(t.due(), "after the interval");
        assertFalse(t.due());
    }

    private static List<JsonObject> follow(HttpTestClient client, String id) throws Exception {
        List<JsonObject> all = new ArrayList<>();
        int after = -1;
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            JsonArray events = client.get("/diffusej/v1/jobs/" + id + "/events?after=" + after + "&wait=5").object()
                    .getAsJsonArray("events");
            for (JsonElement e : events) {
                JsonObject o = e.getAsJsonObject();
                after = o.get("seq").getAsInt();
                all.add(o);
                if (List.of("finished", "interrupted", "error").contains(o.get("event").getAsString())) return all;
            }
        }
        throw new AssertionError("job never ended: " + all);
    }
}
