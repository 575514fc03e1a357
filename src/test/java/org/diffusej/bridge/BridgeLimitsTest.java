package org.diffusej.bridge;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Requests that must not run, hang, break the server or leak Java internals: truncated and unframed bodies, deep
 * nesting, huge prompts, wrong field types, errors thrown inside handlers and jobs, many slow connections.
 */
class BridgeLimitsTest {
    private static final String JOB = "{\"prompt\":\"x\",\"steps\":1,\"width\":8,\"height\":8}";
    /** A Java class name in an answer (IllegalArgumentException, java.lang..., StackOverflowError). */
    private static final Pattern JAVA_NAME = Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b|java\\.|org\\.diffusej");
    private FakeEngine engine;
    private BridgeServer server;
    private HttpTestClient client;

    @AfterEach
    void stop() {
        if (server != null) server.stop();
    }

    private int start(ModelProvider models) throws IOException {
        server = BridgeServer.builder(models).port(0).build().start();
        client = new HttpTestClient(server.url());
        return server.port();
    }

    private int start() throws IOException {
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(1);
        return start(ModelProvider.shared(engine));
    }

    private static String head(String method, String path, int port, String headers) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + headers;
    }

    private static void assertCleanError(HttpTestClient.Answer a, int status, String detailPart) {
        assertEquals(status, a.status(), a.body());
        String detail = a.object().get("detail").getAsString();
        assertTrue(detail.contains(detailPart), "'" + detailPart + "' not in " + detail);
        assertFalse(JAVA_NAME.matcher(detail).find(), "a Java name reached the client: " + detail);
    }

    @Test
    void truncatedAndUnframedPostsAreNeverExecuted() throws Exception {
        int port = start();
        String json = "\r\nContent-Type: application/json";
        // The connection ends after part of the declared body: 400 (if the client still listens), never a job.
        RawHttp.Answer shortBody = RawHttp.send(port, head("POST", "/sdapi/v1/txt2img", port, json + "\r\nContent-Length: 200"), JOB, true);
        assertTrue(shortBody.status() == 400 || shortBody.status() == -1, shortBody.raw());
        RawHttp.Answer headersOnly = RawHttp.send(port, head("POST", "/diffusej/v1/jobs", port, json + "\r\nContent-Length: 50"), "", true);
        assertTrue(headersOnly.status() == 400 || headersOnly.status() == -1, headersOnly.raw());
        // No Content-Length and not chunked: the JDK server would read an empty body, which would run as {}.
        RawHttp.Answer unframed = RawHttp.send(port, head("POST", "/sdapi/v1/txt2img", port, json), "");
        assertEquals(411, unframed.status(), unframed.raw());
        assertTrue(unframed.body().contains("Content-Length"), unframed.raw());
        assertTrue(engine.requests().isEmpty(), "a truncated request ran: " + engine.requests());
        // Chunked bodies are framed and fine.
        String chunked = Integer.toHexString(JOB.length()) + "\r\n" + JOB + "\r\n0\r\n\r\n";
        RawHttp.Answer ok = RawHttp.send(port, head("POST", "/sdapi/v1/txt2img", port, json + "\r\nTransfer-Encoding: chunked"), chunked);
        assertEquals(200, ok.status(), ok.raw());
        assertEquals(1, engine.requests().size());
    }

    @Test
    void deepNestingIsA400AndStoredOptionsStayReadable() throws Exception {
        start();
        String deep = "[".repeat(40) + "]".repeat(40);
        assertCleanError(client.post("/sdapi/v1/txt2img", "{\"unknown_field\":" + deep + "}"), 400, "at most 32");
        assertCleanError(client.post("/sdapi/v1/options", "{\"some_option\":" + deep + "}"), 400, "at most 32");
        String veryDeep = "{\"a\":" + "{\"b\":".repeat(200_000) + "1" + "}".repeat(200_001);
        assertCleanError(client.post("/diffusej/v1/jobs", veryDeep), 400, "nested 200001 deep");
        // Brackets inside strings are text, and nesting within the limit is accepted.
        String fine = "{\"prompt\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\",\"steps\":1,\"width\":8,\"height\":8,"
                + "\"alwayson_scripts\":" + "[".repeat(20) + "]".repeat(20) + "}";
        assertEquals(200, client.post("/sdapi/v1/txt2img", fine).status());
        assertEquals(200, client.post("/sdapi/v1/options", "{\"nested_ok\":" + "[".repeat(20) + "]".repeat(20) + "}").status());
        assertEquals(200, client.get("/sdapi/v1/options").status(), "options must stay readable");
    }

    @Test
    void hugePromptsAndStoredOptionsAre413() throws Exception {
        start();
        String big = "x".repeat(A1111Request.Fields.MAX_PROMPT_CHARS + 1);
        assertCleanError(client.post("/sdapi/v1/txt2img", "{\"prompt\":\"" + big + "\"}"), 413, "prompt has " + big.length());
        assertCleanError(client.post("/diffusej/v1/jobs", "{\"negative_prompt\":\"" + big + "\"}"), 413, "negative_prompt");
        String half = "y".repeat(200 * 1024);
        assertEquals(200, client.post("/sdapi/v1/options", "{\"o1\":\"" + half + "\"}").status());
        assertCleanError(client.post("/sdapi/v1/options", "{\"o2\":\"" + half + "\"}"), 413, "stored options");
        assertFalse(client.get("/sdapi/v1/options").object().has("o2"), "a refused option is not stored");
        assertTrue(engine.requests().isEmpty());
    }

    @Test
    void badFieldsAre4xxNamingTheFieldWithoutJavaNames() throws Exception {
        start();
        assertCleanError(client.post("/sdapi/v1/txt2img", "{prompt: \"lenient\"}"), 400, "not valid JSON");
        assertCleanError(client.post("/sdapi/v1/txt2img", "{\"prompt\":\"x\"} trailing"), 400, "not valid JSON");
        assertCleanError(client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":{\"a\":1}}"), 400, "sd_model_checkpoint");
        assertCleanError(client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":[\"a\",\"b\"]}"), 400, "sd_model_checkpoint");
        assertCleanError(client.post("/sdapi/v1/txt2img", "{\"steps\":[1]}"), 400, "steps");
        assertCleanError(client.post("/sdapi/v1/txt2img", "{\"seed\":1e400}"), 400, "seed");
        assertCleanError(client.post("/sdapi/v1/txt2img", "{\"cfg_scale\":\"" + "9".repeat(5000) + "\"}"), 422, "cfg_scale");
        assertCleanError(client.post("/diffusej/v1/jobs", "{\"mode\":\"paint\"}"), 422, "mode");
        String id = client.post("/diffusej/v1/jobs", JOB).object().get("job_id").getAsString();
        assertCleanError(client.get("/diffusej/v1/jobs/" + id + "/events?after=-5"), 400, "after");
        assertEquals(400, client.get("/diffusej/v1/jobs/" + id + "/events?after=%zz").status(), "the JDK refuses bad escapes");
        assertCleanError(client.get("/diffusej/v1/jobs/" + id + "/events?wait=soon"), 400, "wait");
        HttpTestClient.Answer longName = client.post("/sdapi/v1/options", "{\"sd_model_checkpoint\":\"" + "m".repeat(100_000) + "\"}");
        assertCleanError(longName, 404, "not available");
        assertTrue(longName.body().length() < 5000, "errors quote at most a little of the input: " + longName.body().length());
    }

    @Test
    void aThrowableInAHandlerOrAJobIsAnsweredAndTheServerKeepsServing() throws Exception {
        AtomicBoolean failList = new AtomicBoolean(true);
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(1).failNext(new StackOverflowError());
        ModelProvider shared = ModelProvider.shared(engine);
        start(new ModelProvider() {
            @Override public List<SdModelEntry> checkpoints() {
                if (failList.getAndSet(false)) throw new StackOverflowError();
                return shared.checkpoints();
            }
            @Override public DiffusionEngine engine() { return engine; }
            @Override public void select(String name) throws DiffusionException { shared.select(name); }
            @Override public void close() { }
        });
        assertCleanError(client.get("/sdapi/v1/sd-models"), 500, "log");
        assertEquals(200, client.get("/sdapi/v1/sd-models").status());
        assertCleanError(client.post("/sdapi/v1/txt2img", JOB), 500, "failed");
        assertEquals(200, client.post("/sdapi/v1/txt2img", JOB).status(), "the worker survived the error");
    }

    @Test
    void manySlowConnectionsDoNotAddThreads() throws Exception {
        int port = start();
        assertNotNull(System.getProperty("sun.net.httpserver.maxReqTime"), "the header/body time limit is set");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 3 * BridgeServer.HTTP_THREADS; i++) {
                Socket s = RawHttp.connect(port);
                s.getOutputStream().write("GET /sdapi/v1/progress HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            Thread.sleep(500);
            long threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("diffusej-bridge-http")).count();
            assertTrue(threads <= BridgeServer.HTTP_THREADS, threads + " request threads for " + slow.size() + " slow clients");
        } finally {
            for (Socket s : slow) s.close();
        }
        JsonObject progress = JsonParser.parseString(RawHttp.send(port, head("GET", "/sdapi/v1/progress", port, ""), "").body())
                .getAsJsonObject();
        assertTrue(progress.has("state"), "the server answers again once the slow clients are gone");
    }
}
