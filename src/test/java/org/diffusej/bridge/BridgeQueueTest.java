package org.diffusej.bridge;

import com.google.gson.JsonObject;
import okhttp3.Call;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** One generation at a time, the bounded queue (429), interrupt, client disconnect, progress, auth and binding rules. */
class BridgeQueueTest {
    private static final String SLOW_JOB = "{\"prompt\":\"slow\",\"steps\":40,\"width\":8,\"height\":8,\"seed\":1}";
    private FakeEngine engine;
    private BridgeServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop();
    }

    private HttpTestClient start(long stepMillis, int queueCapacity) throws IOException {
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(stepMillis);
        server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).queueCapacity(queueCapacity).build().start();
        return new HttpTestClient(server.url());
    }

    private static CompletableFuture<HttpTestClient.Answer> async(Call call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return HttpTestClient.execute(call);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private void awaitRunning(HttpTestClient client) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (client.get("/sdapi/v1/progress").object().getAsJsonObject("state").get("sampling_step").getAsInt() < 1) {
            assertTrue(System.currentTimeMillis() < deadline, "the job never started");
            Thread.sleep(10);
        }
    }

    @Test
    void oneAtATimeAndQueueBeyondCapacityIs429() throws Exception {
        HttpTestClient client = start(25, 1);
        CompletableFuture<HttpTestClient.Answer> first = async(client.call("/sdapi/v1/txt2img", SLOW_JOB));
        awaitRunning(client);
        CompletableFuture<HttpTestClient.Answer> second = async(client.call("/sdapi/v1/txt2img", SLOW_JOB));
        long deadline = System.currentTimeMillis() + 10_000;
        while (client.get("/sdapi/v1/progress").object().getAsJsonObject("state").get("job_count").getAsInt() < 2)
            assertTrue(System.currentTimeMillis() < deadline, "second job never queued");
        HttpTestClient.Answer third = client.post("/sdapi/v1/txt2img", SLOW_JOB);
        assertEquals(429, third.status(), third.body());
        assertTrue(third.object().get("detail").getAsString().contains("queue is full"));
        assertEquals(200, first.get(30, TimeUnit.SECONDS).status());
        assertEquals(200, second.get(30, TimeUnit.SECONDS).status());
        assertEquals(1, engine.maxConcurrent(), "the engine ran two generations at once");
        assertEquals(2, engine.requests().size());
    }

    @Test
    void interruptStopsTheRunningJobWithinAStepAndProgressIsMonotonic() throws Exception {
        HttpTestClient client = start(50, 2);
        CompletableFuture<HttpTestClient.Answer> job = async(client.call("/sdapi/v1/txt2img",
                "{\"steps\":200,\"width\":8,\"height\":8}"));
        awaitRunning(client);
        List<Double> seen = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            JsonObject p = client.get("/sdapi/v1/progress").object();
            seen.add(p.get("progress").getAsDouble());
            assertEquals(200, p.getAsJsonObject("state").get("sampling_steps").getAsInt());
            assertTrue(p.get("eta_relative").getAsDouble() > 0);
            Thread.sleep(60);
        }
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) >= seen.get(i - 1), "progress went back: " + seen);
        assertTrue(seen.get(seen.size() - 1) > seen.get(0), "progress did not move: " + seen);

        long t0 = System.nanoTime();
        assertEquals(200, client.post("/sdapi/v1/interrupt", "").status());
        HttpTestClient.Answer a = job.get(10, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(200, a.status(), a.body()); // A1111 answers an interrupted job with what it has
        assertTrue(seconds < 2.0, "interrupt took " + seconds + " s (one step is 0.05 s)");
        assertTrue(engine.stepsRun() < 200, "the job ran to the end");
        assertEquals(0, client.get("/sdapi/v1/progress").object().get("progress").getAsDouble());
        assertEquals(200, client.post("/sdapi/v1/txt2img", "{\"steps\":2,\"width\":8,\"height\":8}").status());
    }

    @Test
    void clientDisconnectDoesNotWedgeTheServer() throws Exception {
        HttpTestClient client = start(20, 1);
        Call call = client.call("/sdapi/v1/txt2img", "{\"steps\":30,\"width\":8,\"height\":8}");
        CompletableFuture<HttpTestClient.Answer> gone = async(call);
        awaitRunning(client);
        call.cancel(); // the client closes its connection mid-run
        assertThrows(Exception.class, () -> gone.get(10, TimeUnit.SECONDS));
        HttpTestClient.Answer next = client.post("/sdapi/v1/txt2img", "{\"steps\":2,\"width\":8,\"height\":8,\"seed\":3}");
        assertEquals(200, next.status(), next.body());
        assertEquals(1, next.object().getAsJsonArray("images").size());
        assertEquals(0, client.get("/sdapi/v1/progress").object().getAsJsonObject("state").get("job_count").getAsInt());
    }

    @Test
    void basicAuthWhenConfigured() throws Exception {
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(1);
        server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).auth("painter:s3cret:x").build().start();
        HttpTestClient none = new HttpTestClient(server.url());
        HttpTestClient wrong = new HttpTestClient(server.url(), "painter", "nope");
        HttpTestClient right = new HttpTestClient(server.url(), "painter", "s3cret:x");
        for (HttpTestClient c : List.of(none, wrong)) {
            HttpTestClient.Answer a = c.get("/sdapi/v1/sd-models");
            assertEquals(401, a.status());
            assertEquals("Basic", a.headers().get("WWW-Authenticate"));
            assertEquals(401, c.post("/sdapi/v1/txt2img", "{}").status());
            assertEquals(401, c.get("/diffusej/v1/health").status());
        }
        assertEquals(200, right.get("/sdapi/v1/sd-models").status());
        assertEquals(200, right.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8}").status());
        assertTrue(engine.requests().size() == 1, "unauthenticated requests must not reach the engine");
    }

    @Test
    void ownedEngineIsClosedWithTheServerSharedIsNot() throws Exception {
        FakeEngine owned = new FakeEngine(Picture.FLAT, "own").stepMillis(1);
        BridgeServer.builder(ModelProvider.owned(owned)).port(0).closeModelsOnStop(true).build().start().stop();
        assertTrue(owned.isClosed());
        FakeEngine shared = new FakeEngine(Picture.FLAT, "shared").stepMillis(1);
        BridgeServer.builder(ModelProvider.shared(shared)).port(0).closeModelsOnStop(true).build().start().stop();
        assertFalse(shared.isClosed());
    }

    @Test
    void noAuthByDefaultOnLoopback() throws Exception {
        HttpTestClient client = start(1, 1);
        assertEquals(200, client.get("/sdapi/v1/sd-models").status());
        assertTrue(server.url().startsWith("http://127.0.0.1:"));
    }

    @Test
    void bindingBeyondLoopbackNeedsTheFlagAndAuth() {
        FakeEngine e = new FakeEngine(Picture.FLAT, "tiny").stepMillis(1);
        ModelProvider models = ModelProvider.shared(e);
        IllegalArgumentException noFlag = assertThrows(IllegalArgumentException.class,
                () -> BridgeServer.builder(models).host("0.0.0.0").auth("a:b").build());
        assertTrue(noFlag.getMessage().contains("--listen"));
        IllegalArgumentException noAuth = assertThrows(IllegalArgumentException.class,
                () -> BridgeServer.builder(models).host("0.0.0.0").allowRemote(true).build());
        assertTrue(noAuth.getMessage().contains("--api-auth"));
        assertThrows(IllegalArgumentException.class, () -> BridgeServer.builder(models).auth("nocolon"));
        assertNotNull(BridgeServer.builder(models).host("0.0.0.0").allowRemote(true).auth("a:b").build());
    }

    @Test
    void modelSwitchThroughOptionsWaitsForTheRunningJob() throws Exception {
        FakeEngine a = new FakeEngine(Picture.FLAT, "alpha").stepMillis(20);
        List<FakeEngine> loaded = new ArrayList<>();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("models");
        java.nio.file.Files.writeString(dir.resolve("alpha.safetensors"), "x");
        java.nio.file.Files.writeString(dir.resolve("beta.safetensors"), "x");
        FolderModelProvider provider = new FolderModelProvider(dir, p -> {
            String name = p.getFileName().toString().replace(".safetensors", "");
            FakeEngine e = name.equals("alpha") ? a : new FakeEngine(Picture.FLAT, name).stepMillis(1);
            loaded.add(e);
            return e;
        }, null);
        server = BridgeServer.builder(provider).port(0).closeModelsOnStop(true).build().start();
        HttpTestClient client = new HttpTestClient(server.url());
        assertEquals(2, client.get("/sdapi/v1/sd-models").json().getAsJsonArray().size());
        CompletableFuture<HttpTestClient.Answer> job = async(client.call("/sdapi/v1/txt2img", "{\"steps\":25,\"width\":8,\"height\":8}"));
        awaitRunning(client);
        HttpTestClient.Answer set = client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"beta\"}");
        assertEquals(200, set.status(), set.body());
        // What the engine saw, not whether the job's HTTP answer has reached this client yet (that races the switch's)
        assertEquals(25, a.stepsRun(), "the switch must wait for all 25 steps of the running job");
        assertEquals(0, a.running(), "the running job has finished when the switch returns");
        assertEquals(200, job.get().status());
        assertTrue(a.isClosed(), "the previous model is closed after switching");
        assertEquals("beta.safetensors [0123456789]", client.get("/sdapi/v1/options").object().get("sd_model_checkpoint").getAsString());
        HttpTestClient.Answer gen = client.post("/sdapi/v1/txt2img", "{\"steps\":1,\"width\":8,\"height\":8}");
        assertTrue(gen.object().get("info").getAsString().contains("\"sd_model_name\":\"beta\""));
        assertEquals(404, client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"gamma\"}").status());
        server.stop();
        assertTrue(loaded.get(loaded.size() - 1).isClosed(), "the server closes models it owns");
    }
}
