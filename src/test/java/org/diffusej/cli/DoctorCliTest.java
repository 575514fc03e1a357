package org.diffusej.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code diffusej doctor}: the report on stdout, as text or JSON; exit 0 when all is well, 5 when broken. */
class DoctorCliTest {
    @TempDir Path dir;

    private CliHarness harness(Path cache) {
        ModelSettings settings = new ModelSettings(cache, "http://127.0.0.1:9", "hf_never_printed", true, null, null);
        return new CliHarness(settings, (p, s, l) -> { throw new AssertionError("doctor loads no model"); });
    }

    @Test
    void doctorPrintsTheReportAndExitsZeroWhenNothingIsBroken() {
        CliHarness cli = harness(dir.resolve("cache"));
        assertEquals(ExitCode.OK, cli.run("doctor"), cli.err() + cli.out());
        String out = cli.out();
        assertTrue(out.startsWith("DiffuseJ system check"), out);
        for (String title : new String[] {"CPU", "Precision", "Memory", "libtorch and GPU", "Java and OS", "Models", "Settings"})
            assertTrue(out.lines().anyMatch(title::equals), "section " + title + " in\n" + out);
        assertTrue(out.contains("offline           yes"), out);
        assertTrue(out.endsWith("Result: OK\n"), out);
        assertFalse(out.contains("hf_never_printed"), out);
        assertTrue(cli.loaded.isEmpty());
    }

    @Test
    void doctorJsonIsTheSameReportAsJson() {
        CliHarness cli = harness(dir.resolve("cache"));
        assertEquals(ExitCode.OK, cli.run("doctor", "--json"), cli.err());
        JsonObject o = JsonParser.parseString(cli.out()).getAsJsonObject();
        assertFalse(o.get("broken").getAsBoolean());
        JsonObject models = o.getAsJsonObject("sections").getAsJsonObject("models");
        assertEquals("missing", models.get("state").getAsString());
        assertTrue(o.getAsJsonObject("sections").getAsJsonObject("settings").get("hf_token_set").getAsBoolean());
        assertFalse(cli.out().contains("hf_never_printed"));
    }

    @Test
    void aBrokenSystemExitsWithBrokenAndSaysWhy() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("cache-is-a-file"), "x");
        CliHarness cli = harness(notAFolder);
        assertEquals(ExitCode.BROKEN, cli.run("doctor"), cli.err());
        assertTrue(cli.out().contains("PROBLEM           the cache folder"), cli.out());
        assertTrue(cli.out().contains("Result: BROKEN (1 problem;"), cli.out());
        assertEquals(ExitCode.BROKEN, cli.run("doctor", "--json"));
        assertTrue(JsonParser.parseString(cli.out()).getAsJsonObject().get("broken").getAsBoolean());
    }

    @Test
    void helpListsDoctor() {
        CliHarness cli = harness(dir.resolve("cache"));
        assertEquals(ExitCode.OK, cli.run("--help"));
        assertTrue(cli.out().contains("doctor"), cli.out());
        assertTrue(cli.out().contains("5 broken"), cli.out());
    }
}
