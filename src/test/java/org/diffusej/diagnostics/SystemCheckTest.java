package org.diffusej.diagnostics;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report builder: each probe on its own, failures and problems recorded, rendered as text and JSON. */
class SystemCheckTest {
    @TempDir Path dir;

    /** A section with one line and the given problems. */
    record Note(String text, List<String> problems) implements Facts {
        @Override
        public List<Line> lines() {
            return List.of(new Line("note", text), new Line("detail", "under it", 1));
        }
    }

    private static Probe ok(String name) {
        return new Probe(name, "Title " + name, () -> new Note("fine " + name, List.of()));
    }

    @Test
    void aFailingProbeMarksOnlyItsSectionAndTheReportBroken() {
        SystemReport r = new SystemCheck(List.of(ok("a"),
                new Probe("b", "Title b", () -> { throw new IllegalStateException("boom in b"); }),
                new Probe("c", "Title c", () -> { throw new UnsatisfiedLinkError("no libtorch"); }),
                ok("d"))).run();
        assertTrue(r.broken());
        assertEquals(List.of("a", "b", "c", "d"), r.sections().stream().map(SectionResult::name).toList());
        assertEquals("IllegalStateException: boom in b", r.section("b").orElseThrow().error());
        assertNull(r.section("b").orElseThrow().facts());
        assertEquals("UnsatisfiedLinkError: no libtorch", r.section("c").orElseThrow().error());
        assertFalse(r.section("a").orElseThrow().broken());
        assertEquals("fine d", ((Note) r.section("d").orElseThrow().facts()).text(), "probes after a failure still run");
        assertEquals(List.of("Title b: IllegalStateException: boom in b", "Title c: UnsatisfiedLinkError: no libtorch"),
                r.complaints());
    }

    @Test
    void aProblemMarksTheReportBrokenAndNoProblemLeavesItOk() {
        assertFalse(new SystemCheck(List.of(ok("a"), ok("b"))).run().broken());
        SystemReport r = new SystemCheck(List.of(ok("a"),
                new Probe("p", "Title p", () -> new Note("x", List.of("it is wrong"))))).run();
        assertTrue(r.broken());
        assertEquals(List.of("Title p: it is wrong"), r.complaints());
        assertNotNull(r.section("p").orElseThrow().facts(), "a section with a problem keeps its facts");
    }

    @Test
    void aProbeThatFindsNothingFails() {
        SectionResult s = new SystemCheck(List.of(new Probe("n", "N", () -> null))).run().sections().get(0);
        assertTrue(s.broken());
        assertTrue(s.error().contains("found nothing"), s.error());
    }

    @Test
    void anErrorMessageShowsTheHomeFolderAsTilde() {
        String home = System.getProperty("user.home");
        SectionResult s = SystemCheck.run(new Probe("h", "H", () -> {
            throw new java.io.IOException("cannot read " + Path.of(home, "secret-folder", "x"));
        }));
        assertEquals("IOException: cannot read " + Redact.path(Path.of(home, "secret-folder", "x")), s.error());
        assertTrue(s.error().contains("~"), s.error());
    }

    @Test
    void textShowsSectionsLinesFailuresProblemsAndTheVerdict() {
        SystemReport r = new SystemCheck(List.of(ok("a"),
                new Probe("b", "Title b", () -> { throw new IllegalStateException("boom"); }),
                new Probe("p", "Title p", () -> new Note("x", List.of("it is wrong"))))).run();
        String text = ReportText.render(r);
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).startsWith("DiffuseJ system check"), text);
        assertTrue(lines.contains("Title a"), text);
        assertTrue(lines.contains("  note              fine a"), text);
        assertTrue(lines.contains("    detail          under it"), text);
        assertTrue(lines.contains("  FAILED            IllegalStateException: boom"), text);
        assertTrue(lines.contains("  PROBLEM           it is wrong"), text);
        assertEquals("Result: BROKEN (2 problems; see FAILED/PROBLEM above)", lines.get(lines.size() - 1));
        assertTrue(ReportText.render(new SystemCheck(List.of(ok("a"))).run()).endsWith("Result: OK\n"));
    }

    @Test
    void jsonKeysSectionsByNameWithStatusFactsProblemsAndError() {
        SystemReport r = new SystemCheck(List.of(ok("a"),
                new Probe("b", "Title b", () -> { throw new IllegalStateException("boom"); }),
                new Probe("p", "Title p", () -> new Note("x", List.of("it is wrong"))))).run();
        JsonObject o = JsonParser.parseString(ReportJson.render(r)).getAsJsonObject();
        assertTrue(o.get("broken").getAsBoolean());
        assertEquals(2, o.getAsJsonArray("complaints").size());
        JsonObject s = o.getAsJsonObject("sections");
        assertEquals(List.of("a", "b", "p"), List.copyOf(s.keySet()));
        assertEquals("ok", s.getAsJsonObject("a").get("status").getAsString());
        assertEquals("fine a", s.getAsJsonObject("a").get("text").getAsString());
        assertEquals("failed", s.getAsJsonObject("b").get("status").getAsString());
        assertEquals("IllegalStateException: boom", s.getAsJsonObject("b").get("error").getAsString());
        assertEquals("problem", s.getAsJsonObject("p").get("status").getAsString());
        assertEquals("it is wrong", s.getAsJsonObject("p").getAsJsonArray("problems").get(0).getAsString());
    }

    @Test
    void aSelfTestErrorThatIsNotANumberStillRendersAsValidJson() {
        PrecisionSection p = new PrecisionSection("cpu", "fp32", "why", "is refused", List.of(new PrecisionSection.Verdict(
                "bf16", false, "conv2d gave NaN", List.of(new PrecisionSection.OpCheck("conv2d", Double.NaN, 0.0156, false),
                new PrecisionSection.OpCheck("linear", 0.001, 0.0156, true)), false, 0.25, "cpu|torch")));
        SystemReport r = new SystemCheck(List.of(new Probe("precision", "Precision", () -> p))).run();
        JsonObject verdict = JsonParser.parseString(ReportJson.render(r)).getAsJsonObject().getAsJsonObject("sections")
                .getAsJsonObject("precision").getAsJsonArray("self_tests").get(0).getAsJsonObject();
        assertEquals("NaN", verdict.getAsJsonArray("checks").get(0).getAsJsonObject().get("max_error").getAsString());
        assertEquals(0.001, verdict.getAsJsonArray("checks").get(1).getAsJsonObject().get("max_error").getAsDouble());
        assertEquals("cpu|torch", verdict.get("host_key").getAsString());
        assertTrue(ReportText.render(r).contains("max error NaN, tolerance 0.0156: FAILED"), ReportText.render(r));
        assertTrue(ReportText.render(r).contains("bf16 self-test    does not qualify (self-test took 0.25 s, host cpu|torch)"),
                ReportText.render(r));
    }

    @Test
    void theStandardCheckRunsEverySectionOnThisMachineOnOneScreenWithoutSecrets() {
        ModelSettings settings = new ModelSettings(dir.resolve("cache"), "https://user:pw@mirror.example/hub",
                "hf_secret_token_123", true, null, null);
        SystemReport r = SystemCheck.standard(() -> settings).run();
        assertEquals(List.of("cpu", "precision", "memory", "libtorch", "runtime", "models", "settings"),
                r.sections().stream().map(SectionResult::name).toList());
        assertEquals(List.of(), r.complaints(), "nothing is broken on a machine that runs the test suite");
        String text = ReportText.render(r);
        String json = ReportJson.render(r);
        assertTrue(text.lines().count() <= 50, "one screen: " + text.lines().count() + " lines\n" + text);
        for (String out : List.of(text, json)) {
            assertFalse(out.contains("hf_secret_token_123"), out);
            assertFalse(out.contains("pw@"), out);
        }
        JsonObject settingsJson = JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("sections")
                .getAsJsonObject("settings");
        assertTrue(settingsJson.get("hf_token_set").getAsBoolean());
        assertEquals("https://mirror.example/hub", settingsJson.get("endpoint").getAsString());
        JsonObject cpu = JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("sections").getAsJsonObject("cpu");
        assertEquals(Runtime.getRuntime().availableProcessors(), cpu.get("logical_cpus").getAsInt());
    }
}
