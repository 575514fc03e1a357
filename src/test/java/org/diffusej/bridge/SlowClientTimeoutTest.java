package org.diffusej.bridge;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Slow clients are cut off: a bridge in its own JVM (the JDK server reads its time limits once per JVM), with the
 * request time limit lowered from the bridge's 30 s default to {@value #LIMIT_S} s, closes a connection that sends its
 * headers or its body too slowly, and keeps answering others.
 */
class SlowClientTimeoutTest {
    private static final int LIMIT_S = 2;
    @TempDir static Path dir;
    private static Process bridge;
    private static int port;

    @BeforeAll
    static void startBridge() throws Exception {
        Path portFile = dir.resolve("bridge.url");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        bridge = new ProcessBuilder(List.of(java, "-Dsun.net.httpserver.maxReqTime=" + LIMIT_S,
                "-Dsun.net.httpserver.timerMillis=200", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), KritaTestServer.class.getName(), portFile.toString(), "test", "1"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("bridge.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(portFile)) {
            assertTrue(bridge.isAlive(), () -> "the bridge died: " + log());
            assertTrue(System.currentTimeMillis() < deadline, "the bridge did not start");
            Thread.sleep(50);
        }
        String url = Files.readString(portFile).trim();
        port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("bridge.log"));
        } catch (java.io.IOException e) {
            return "(no log)";
        }
    }

    @AfterAll
    static void stopBridge() throws Exception {
        if (bridge == null) return;
        bridge.destroy();
        if (!bridge.waitFor(10, TimeUnit.SECONDS)) bridge.destroyForcibly();
    }

    /** Seconds until the server closes a connection that sent {@code start} and then nothing. */
    private static double secondsUntilClosed(String start) throws Exception {
        try (Socket s = RawHttp.connect(port)) {
            s.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            long t0 = System.nanoTime();
            RawHttp.Answer a = RawHttp.read(s);
            assertTrue(a.status() == -1 || a.status() >= 400, "a partial request was answered: " + a.raw());
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    @Test
    void slowHeadersAndSlowBodiesAreCutOff() throws Exception {
        double headers = secondsUntilClosed("POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Ty");
        assertTrue(headers < LIMIT_S + 3, "slow headers held the connection " + headers + " s");
        double body = secondsUntilClosed("POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":");
        assertTrue(body < LIMIT_S + 3, "a slow body held the connection " + body + " s");
        RawHttp.Answer ok = RawHttp.send(port, "GET /sdapi/v1/progress HTTP/1.1\r\nHost: 127.0.0.1:" + port, "");
        assertEquals(200, ok.status(), ok.raw());
        assertFalse(log().contains("Exception in thread"), log());
    }
}
