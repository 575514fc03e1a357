package org.diffusej.bridge;

import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What web pages can do to the bridge: foreign origins and Host names (DNS rebinding) are refused, text/plain posts
 * (no CORS preflight) are refused, allowed origins get CORS headers and preflight answers, Krita's requests pass.
 */
class OriginPolicyTest {
    private static final String JOB = "{\"prompt\":\"x\",\"steps\":1,\"width\":8,\"height\":8}";
    private FakeEngine engine;
    private BridgeServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop();
    }

    private int start(BridgeServer.Builder b) throws IOException {
        server = b.build().start();
        return server.port();
    }

    private BridgeServer.Builder builder() {
        engine = new FakeEngine(Picture.FLAT, "tiny").stepMillis(1);
        return BridgeServer.builder(ModelProvider.shared(engine)).port(0);
    }

    private static String post(String path, int port, String extraHeaders, String contentType, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + extraHeaders
                + (contentType == null ? "" : "\r\nContent-Type: " + contentType)
                + "\r\nContent-Length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static void assertRefused(RawHttp.Answer a, int status, String detailPart) {
        assertEquals(status, a.status(), a.raw());
        String detail = com.google.gson.JsonParser.parseString(a.body()).getAsJsonObject().get("detail").getAsString();
        assertTrue(detail.contains(detailPart), "'" + detailPart + "' not in " + detail);
    }

    @Test
    void crossOriginRequestsAndForeignHostsAreRefusedByDefault() throws Exception {
        int port = start(builder());
        // A page on another site: a "simple" text/plain POST needs no preflight, so the server must refuse it itself.
        assertRefused(RawHttp.send(port, post("/sdapi/v1/txt2img", port, "\r\nOrigin: http://evil.example", "text/plain", JOB), JOB),
                403, "cross-origin");
        assertRefused(RawHttp.send(port, post("/sdapi/v1/interrupt", port, "\r\nOrigin: null", null, ""), ""), 403, "cross-origin");
        assertRefused(RawHttp.send(port, "GET /sdapi/v1/options HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: https://evil.example", ""), 403, "--cors-allow-origins");
        // DNS rebinding: the page's name now points at 127.0.0.1, its requests carry that name as Host.
        assertRefused(RawHttp.send(port, "GET /sdapi/v1/options HTTP/1.1\r\nHost: evil.example:" + port, ""), 403, "DNS rebinding");
        assertRefused(RawHttp.send(port, "GET /sdapi/v1/options HTTP/1.1\r\nHost: 127.0.0.1:" + (port + 1), ""), 403, "Host");
        assertRefused(RawHttp.send(port, "GET /sdapi/v1/options HTTP/1.1\r\nHost: localhost.evil.example:" + port, ""), 403, "Host");
        // OPTIONS is a preflight or nothing.
        assertRefused(RawHttp.send(port, "OPTIONS /sdapi/v1/txt2img HTTP/1.1\r\nHost: 127.0.0.1:" + port, ""), 403, "preflight");
        assertRefused(RawHttp.send(port, "OPTIONS /sdapi/v1/txt2img HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST", ""), 403, "cross-origin");
        assertTrue(engine.requests().isEmpty(), "no refused request may run");
    }

    @Test
    void loopbackNamesSameOriginAndKritaStyleRequestsPass() throws Exception {
        int port = start(builder());
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "LOCALHOST:" + port))
            assertEquals(200, RawHttp.send(port, "GET /sdapi/v1/progress HTTP/1.1\r\nHost: " + host, "").status(), host);
        assertEquals(200, RawHttp.send(port, "GET /sdapi/v1/progress HTTP/1.1\r\nHost: localhost:" + port
                + "\r\nOrigin: http://localhost:" + port, "").status(), "the server's own origin is not foreign");
        // Exactly what the Krita plugin's urllib client sends (client.py: _call).
        String kritaHeaders = "\r\nAccept-Encoding: identity\r\nUser-Agent: Python-urllib/3.11\r\nAccept: application/json";
        RawHttp.Answer a = RawHttp.send(port, post("/diffusej/v1/jobs", port, kritaHeaders, "application/json", JOB), JOB);
        assertEquals(202, a.status(), a.raw());
        assertEquals(200, RawHttp.send(port, post("/sdapi/v1/interrupt", port, kritaHeaders, "application/json", "{}"), "{}").status());
        RawHttp.Answer charset = RawHttp.send(port, post("/sdapi/v1/txt2img", port, "", "application/json; charset=UTF-8", JOB), JOB);
        assertEquals(200, charset.status(), charset.raw());
        assertNull(charset.header("Access-Control-Allow-Origin"), "no CORS headers without an allowed origin");
    }

    @Test
    void jsonEndpointsRequireAJsonContentType() throws Exception {
        int port = start(builder());
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/json; charset=latin1", null})
            assertRefused(RawHttp.send(port, post("/sdapi/v1/txt2img", port, "", type, JOB), JOB), 415, "application/json");
        assertRefused(RawHttp.send(port, post("/sdapi/v1/options", port, "", "text/plain", "{\"a\":1}"), "{\"a\":1}"), 415, "JSON");
        assertTrue(engine.requests().isEmpty());
        // A POST without a body needs no content type (A1111 clients interrupt like this).
        assertEquals(200, RawHttp.send(port, post("/sdapi/v1/interrupt", port, "", null, ""), "").status());
    }

    @Test
    void allowedOriginsGetCorsHeadersAndPreflightAnswers() throws Exception {
        int port = start(builder().corsAllowOrigins("http://localhost:3000, https://app.example.org/")
                .corsAllowOriginsRegex("https://[a-z]+\\.trusted\\.test"));
        RawHttp.Answer pre = RawHttp.send(port, "OPTIONS /sdapi/v1/txt2img HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: http://localhost:3000\r\nAccess-Control-Request-Method: POST"
                + "\r\nAccess-Control-Request-Headers: content-type", "");
        assertEquals(204, pre.status(), pre.raw());
        assertEquals("http://localhost:3000", pre.header("Access-Control-Allow-Origin"));
        assertTrue(pre.header("Access-Control-Allow-Methods").contains("POST"));
        assertTrue(pre.header("Access-Control-Allow-Headers").toLowerCase().contains("content-type"));
        assertTrue(pre.header("Vary").contains("Origin"));

        RawHttp.Answer post = RawHttp.send(port, post("/sdapi/v1/txt2img", port, "\r\nOrigin: https://app.example.org",
                "application/json", JOB), JOB);
        assertEquals(200, post.status(), post.raw());
        assertEquals("https://app.example.org", post.header("Access-Control-Allow-Origin"));
        RawHttp.Answer byRegex = RawHttp.send(port, "GET /sdapi/v1/progress HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: https://studio.trusted.test", "");
        assertEquals(200, byRegex.status(), byRegex.raw());
        assertEquals("https://studio.trusted.test", byRegex.header("Access-Control-Allow-Origin"));
        // The regex must match the whole origin, and an allowed origin's host is an allowed Host.
        assertRefused(RawHttp.send(port, "GET /sdapi/v1/progress HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: https://studio.trusted.test.evil.example", ""), 403, "cross-origin");
        assertEquals(200, RawHttp.send(port, "GET /sdapi/v1/progress HTTP/1.1\r\nHost: app.example.org", "").status());
        assertRefused(RawHttp.send(port, "GET /sdapi/v1/progress HTTP/1.1\r\nHost: other.example.org", ""), 403, "Host");
    }

    @Test
    void unsafeOrMalformedAllowancesAreRefusedAtStart() {
        IllegalArgumentException star = assertThrows(IllegalArgumentException.class,
                () -> builder().corsAllowOrigins("*").build());
        assertTrue(star.getMessage().contains("every web page"), star.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder().corsAllowOrigins("localhost:3000").build());
        assertThrows(IllegalArgumentException.class, () -> builder().corsAllowOrigins("http://x.test/path").build());
        IllegalArgumentException regex = assertThrows(IllegalArgumentException.class,
                () -> builder().corsAllowOriginsRegex("https://(").build());
        assertTrue(regex.getMessage().contains("regular expression"), regex.getMessage());
    }

    @Test
    void authenticationStillAppliesToAllowedOriginsButNotToPreflight() throws Exception {
        int port = start(builder().auth("u:p").corsAllowOrigins("http://localhost:3000"));
        assertEquals(204, RawHttp.send(port, "OPTIONS /sdapi/v1/options HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: http://localhost:3000\r\nAccess-Control-Request-Method: GET", "").status());
        assertRefused(RawHttp.send(port, "GET /sdapi/v1/options HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: http://localhost:3000", ""), 401, "password");
    }
}
