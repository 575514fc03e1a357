package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** DiffuseJ's job API: enqueue, long-polled events in the shared vocabulary, cancel. */
class NativeApiTest {
    private FakeEngine engine;
    private BridgeServer server;
    private HttpTestClient client;

    @BeforeEach
    void start() throws Exception {
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(15);
        server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).queueCapacity(2).build().start();
        client = new HttpTestClient(server.url());
    }

    @AfterEach
    void stop() { server.stop(); }

    private String enqueue(String body) throws Exception {
        HttpTestClient.Answer a = client.post("/diffusej/v1/jobs", body);
        assertEquals(202, a.status(), a.body());
        assertEquals("queued", a.object().getAsJsonObject("event").get("event").getAsString());
        return a.object().get("job_id").getAsString();
    }

    /** Follows a job's events to its final one, as the Krita plugin does. */
    private List<JsonObject> follow(String id) throws Exception {
        List<JsonObject> all = new ArrayList<>();
        int after = -1;
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            JsonArray events = client.get("/diffusej/v1/jobs/" + id + "/events?after=" + after + "&wait=5").object().getAsJsonArray("events");
            for (JsonElement e : events) {
                JsonObject o = e.getAsJsonObject();
                assertEquals(after + 1, o.get("seq").getAsInt(), "events arrive in order without gaps");
                after = o.get("seq").getAsInt();
                all.add(o);
                String type = o.get("event").getAsString();
                if (type.equals("finished") || type.equals("interrupted") || type.equals("error")) return all;
            }
        }
        throw new AssertionError("job never ended: " + all);
    }

    @Test
    void healthNamesTheModel() throws Exception {
        JsonObject h = client.get("/diffusej/v1/health").object();
        assertEquals("ok", h.get("status").getAsString());
        assertEquals("tiny [0123456789]", h.get("model").getAsString());
        assertEquals(512, h.get("default_size").getAsInt(), "an SD 1.x model's native side");
    }

    @Test
    void jobEventsGoQueuedProgressFinishedWithImages() throws Exception {
        String id = enqueue("{\"mode\":\"txt2img\",\"prompt\":\"p\",\"steps\":5,\"width\":16,\"height\":8,\"seed\":9,\"batch_size\":2}");
        List<JsonObject> events = follow(id);
        assertEquals("queued", events.get(0).get("event").getAsString());
        JsonObject last = events.get(events.size() - 1);
        assertEquals("finished", last.get("event").getAsString());
        assertEquals(1.0, last.get("progress").getAsDouble());
        double prev = 0;
        int progressEvents = 0;
        for (JsonObject e : events.subList(1, events.size() - 1)) {
            assertEquals("progress", e.get("event").getAsString());
            assertTrue(e.get("progress").getAsDouble() >= prev, "progress went back: " + events);
            prev = e.get("progress").getAsDouble();
            progressEvents++;
        }
        assertTrue(progressEvents >= 10, "one progress event per step expected, got " + progressEvents);
        assertEquals("[9,10]", last.get("seeds").toString());
        String png = last.getAsJsonArray("images").get(1).getAsString();
        assertEquals(16, HttpTestClient.decode(png).getWidth());
        assertTrue(ImageCodec.readParameters(Base64.getDecoder().decode(png)).contains("Seed: 10"));
        assertEquals(last, client.get("/diffusej/v1/jobs/" + id).object(), "GET /jobs/{id} is the latest event");
    }

    @Test
    void cancelWaitingAndRunningJobs() throws Exception {
        String running = enqueue("{\"steps\":400,\"width\":8,\"height\":8}");
        String waiting = enqueue("{\"steps\":400,\"width\":8,\"height\":8}");
        assertEquals("interrupted", client.post("/diffusej/v1/jobs/" + waiting + "/cancel", "").object().get("event").getAsString());
        List<JsonObject> w = follow(waiting);
        assertEquals("interrupted", w.get(w.size() - 1).get("event").getAsString());
        long deadline = System.currentTimeMillis() + 20_000;
        while (engine.stepsRun() < 2) {
            assertTrue(System.currentTimeMillis() < deadline);
            Thread.sleep(10);
        }
        assertEquals(200, client.post("/diffusej/v1/jobs/" + running + "/cancel", "").status());
        List<JsonObject> r = follow(running);
        JsonObject last = r.get(r.size() - 1);
        assertEquals("interrupted", last.get("event").getAsString());
        assertTrue(engine.stepsRun() < 400);
        assertEquals(1, engine.requests().size(), "the cancelled waiting job must never reach the engine");
    }

    @Test
    void errorsAndUnknownJobs() throws Exception {
        assertEquals(404, client.get("/diffusej/v1/jobs/nope/events").status());
        assertEquals(404, client.post("/diffusej/v1/jobs/nope/cancel", "").status());
        HttpTestClient.Answer mode = client.post("/diffusej/v1/jobs", "{\"mode\":\"outpaint\"}");
        assertEquals(422, mode.status());
        assertTrue(mode.object().get("detail").getAsString().contains("mode must be"));
        String png = HttpTestClient.pngBase64(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB));
        HttpTestClient.Answer noMask = client.post("/diffusej/v1/jobs", "{\"mode\":\"inpaint\",\"init_images\":[\"" + png + "\"]}");
        assertEquals(422, noMask.status());
        assertTrue(noMask.object().get("detail").getAsString().contains("mask"));
        String bad = enqueue("{\"sampler_name\":\"No such sampler\",\"steps\":1,\"width\":8,\"height\":8}");
        List<JsonObject> events = follow(bad);
        JsonObject last = events.get(events.size() - 1);
        assertEquals("error", last.get("event").getAsString());
        assertTrue(last.get("message").getAsString().contains("Unknown sampler"));
        assertEquals(400, client.get("/diffusej/v1/jobs/" + bad + "/events?after=x").status());
    }
}
