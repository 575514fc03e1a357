package org.diffusej.imagej;

import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandModule;
import org.scijava.log.LogLevel;
import org.scijava.log.LogMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plugins › DiffuseJ › About / System Check, headless: the report goes to the log; no outputs, no model loaded. */
class SystemCheckCommandTest {
    @TempDir Path dir;
    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() {
        System.clearProperty("diffusej.home");
        h.close();
    }

    private List<LogMessage> reports() {
        return h.log.stream().filter(m -> m.text().startsWith("DiffuseJ system check")).toList();
    }

    @Test
    void theMenuEntryDeclaresNoOutputs() {
        CommandInfo info = h.commands.getCommand(SystemCheckCommand.class);
        assertEquals("About / System Check", info.getMenuPath().getLeaf().getName());
        assertEquals("Plugins", info.getMenuPath().get(0).getName());
        assertEquals(List.of(), StreamSupport.stream(info.outputs().spliterator(), false).map(i -> i.getName()).toList(),
                "a real ImageJ2 UI would open a window for every output");
    }

    @Test
    void headlessTheReportWithFijisSettingsGoesToTheLog() throws Exception {
        System.setProperty("diffusej.home", dir.resolve("cache").toString());
        CommandModule m = h.run(SystemCheckCommand.class);
        assertFalse(m.isCanceled(), m.getCancelReason());
        List<LogMessage> reports = reports();
        assertEquals(1, reports.size(), h.log.toString());
        String text = reports.get(0).text();
        assertEquals(LogLevel.INFO, reports.get(0).level());
        assertTrue(text.contains("\nFiji\n  model             sd15 (not loaded yet)\n"), text);
        assertTrue(text.contains("\nPrecision\n"), text);
        assertTrue(text.endsWith("Result: OK\n"), text);
        assertFalse(h.diffusion.isLoaded(), "the check loads no model");
        assertEquals(0, h.problems().size(), h.problems().toString());
    }

    @Test
    void aBrokenReportIsAWarningWithTheProblem() throws Exception {
        System.setProperty("diffusej.home", Files.writeString(dir.resolve("a-file"), "x").toString());
        CommandModule m = h.run(SystemCheckCommand.class);
        assertFalse(m.isCanceled(), "the check itself ran: " + m.getCancelReason());
        List<LogMessage> reports = reports();
        assertEquals(1, reports.size(), h.log.toString());
        assertEquals(LogLevel.WARN, reports.get(0).level());
        assertTrue(reports.get(0).text().contains("PROBLEM           the cache folder"), reports.get(0).text());
        assertTrue(reports.get(0).text().contains("Result: BROKEN"), reports.get(0).text());
    }
}
