package org.diffusej.bridge;

import com.google.gson.JsonObject;
import org.diffusej.diagnostics.Facts;
import org.diffusej.diagnostics.Probe;
import org.diffusej.diagnostics.SystemCheck;
import org.diffusej.models.ModelSettings;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /diffusej/v1/doctor}: the system check as JSON, without secrets or the home folder. */
class DoctorEndpointTest {
    @TempDir Path dir;
    private BridgeServer server;

    @AfterEach
    void stop() {
        if (server != null) server.stop();
    }

    private HttpTestClient start(SystemCheck check, String auth) throws Exception {
        server = BridgeServer.builder(ModelProvider.shared(new FakeEngine(Picture.FLAT, "tiny").stepMillis(1))).port(0).auth(auth)
                .systemCheck(check).build().start();
        return new HttpTestClient(server.url());
    }

    @Test
    void theStandardReportAsJsonWithoutTokenOrHomeFolder() throws Exception {
        ModelSettings settings = new ModelSettings(dir.resolve("cache"), null, "hf_bridge_secret", false, null, null);
        HttpTestClient client = start(SystemCheck.standard(() -> settings), null);
        HttpTestClient.Answer a = client.get("/diffusej/v1/doctor");
        assertEquals(200, a.status(), a.body());
        JsonObject o = a.object();
        assertFalse(o.get("broken").getAsBoolean(), a.body());
        assertEquals(List.of("cpu", "precision", "memory", "libtorch", "runtime", "models", "settings"),
                List.copyOf(o.getAsJsonObject("sections").keySet()));
        assertTrue(o.getAsJsonObject("sections").getAsJsonObject("settings").get("hf_token_set").getAsBoolean());
        assertFalse(a.body().contains("hf_bridge_secret"), a.body());
        String home = System.getProperty("user.home");
        assertFalse(a.body().contains(home + "/"), "the home folder shows as ~: " + a.body());
    }

    @Test
    void aBrokenReportIsStillAnAnswerThatSaysBroken() throws Exception {
        record Fine(String x) implements Facts {
            @Override
            public List<Line> lines() { return List.of(new Line("x", x)); }
        }
        SystemCheck check = new SystemCheck(List.of(new Probe("fine", "Fine", () -> new Fine("y")),
                new Probe("gpu", "GPU", () -> { throw new IllegalStateException("driver gone"); })));
        HttpTestClient client = start(check, null);
        HttpTestClient.Answer a = client.get("/diffusej/v1/doctor");
        assertEquals(200, a.status(), a.body());
        assertTrue(a.object().get("broken").getAsBoolean());
        JsonObject gpu = a.object().getAsJsonObject("sections").getAsJsonObject("gpu");
        assertEquals("failed", gpu.get("status").getAsString());
        assertEquals("IllegalStateException: driver gone", gpu.get("error").getAsString());
        assertEquals("y", a.object().getAsJsonObject("sections").getAsJsonObject("fine").get("x").getAsString());
        assertEquals(405, client.post("/diffusej/v1/doctor", "{}").status());
    }

    @Test
    void withAuthTheReportNeedsCredentials() throws Exception {
        SystemCheck check = new SystemCheck(List.of());
        start(check, "ann:pw");
        assertEquals(401, new HttpTestClient(server.url()).get("/diffusej/v1/doctor").status());
        assertEquals(200, new HttpTestClient(server.url(), "ann", "pw").get("/diffusej/v1/doctor").status());
    }
}
