package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandModule;

/** Start/Stop Krita Bridge serve Fiji's shared engine over HTTP and leave it loaded when stopped. */
class KritaBridgeCommandsTest {
    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() { h.close(); }

    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theBridgeServesTheSharedModelAndStops() throws Exception {
        CommandModule m = h.run(StartKritaBridgeCommand.class, "port", 0, "auth", "");
        assertFalse(m.isCanceled(), m.getCancelReason());
        String url = h.context.service(KritaBridgeService.class).url();
        assertTrue(url.startsWith("http://127.0.0.1:"), url);
        assertTrue(get(url + "/sdapi/v1/sd-models").contains("pattern [0123456789]"));
        h.run(StopKritaBridgeCommand.class);
        assertNull(h.context.service(KritaBridgeService.class).url());
        assertThrows(IOException.class, () -> get(url + "/sdapi/v1/sd-models"));
        assertFalse(engine.isClosed(), "stopping the bridge leaves Fiji's model loaded");
        assertTrue(h.diffusion.isLoaded());
    }

    @Test
    void aTakenPortIsAMessage() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            CommandModule m = h.run(StartKritaBridgeCommand.class, "port", taken.getLocalPort(), "auth", "");
            assertTrue(m.isCanceled());
            assertTrue(m.getCancelReason().contains("could not start on port " + taken.getLocalPort()), m.getCancelReason());
            assertEquals(0, h.problems().size());
        }
    }
}
