package org.diffusej.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Report arithmetic (median, ratio), JSON layout and the option parser. */
class BenchmarkReportTest {
    @Test
    void medianOfOddAndEvenRunCounts() {
        assertEquals(2.0, stage(List.of(3.0, 1.0, 2.0)).medianSeconds(), 0);
        assertEquals(2.5, stage(List.of(4.0, 1.0, 2.0, 3.0)).medianSeconds(), 0);
        assertThrows(IllegalArgumentException.class, () -> stage(List.of()));
    }

    @Test
    void jsonCarriesStagesRatiosAndEnvironment(@TempDir Path dir) throws Exception {
        BenchmarkReport report = new BenchmarkReport(Map.of("threads", "2"), 0.5,
                List.of(stage(List.of(1.0, 3.0, 2.0))), 123L << 20);
        assertEquals(4.0, report.ratio(report.stages().get(0)), 1e-12);
        Path file = dir.resolve("sub/report.json");
        report.write(file);
        JsonObject json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        assertEquals(BenchmarkReport.SCHEMA, json.get("schema").getAsString());
        assertEquals("2", json.getAsJsonObject("environment").get("threads").getAsString());
        assertEquals(0.5, json.getAsJsonObject("reference").get("seconds").getAsDouble(), 0);
        JsonObject stage = json.getAsJsonArray("stages").get(0).getAsJsonObject();
        assertEquals("unet_step_cfg", stage.get("stage").getAsString());
        assertEquals(2.0, stage.get("median_seconds").getAsDouble(), 0);
        assertEquals(4.0, stage.get("ratio_to_reference").getAsDouble(), 1e-12);
        assertEquals(3, stage.getAsJsonArray("seconds").size());
        assertTrue(report.table().contains("unet_step_cfg"), report.table());

        BenchmarkReport.Stage timedAgainstSlowerMachine = new BenchmarkReport.Stage("vae_decode", 512, 1,
                List.of(3.0), -1, -1, 1.5);
        assertEquals(2.0, report.ratio(timedAgainstSlowerMachine), 1e-12, "ratio to the stage's own reference");
    }

    @Test
    void optionsParseAndRejectNonsense() {
        BenchmarkOptions o = BenchmarkOptions.parse("--threads", "2", "--sizes", "512, 256", "--steps", "5",
                "--json", "out.json");
        assertEquals(2, o.threads());
        assertEquals(List.of(512, 256), o.sizes());
        assertEquals(5, o.steps());
        assertEquals(Path.of("out.json"), o.json());
        BenchmarkOptions quick = BenchmarkOptions.parse("--quick");
        assertTrue(quick.quick());
        assertEquals(List.of(64), quick.sizes());
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--sizes", "500"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--precision", "int8"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--steps"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--fast", "yes"));
    }

    @Test
    void processMemoryReadsLinuxStatus() {
        long now = ProcessMemory.residentBytes(); // read first: the peak can only be at least this afterwards
        long peak = ProcessMemory.peakResidentBytes();
        if (Files.exists(Path.of("/proc/self/status"))) {
            assertTrue(now > 0 && peak >= now, "peak " + peak + " >= current " + now);
        } else {
            assertEquals(-1, peak);
        }
    }

    private static BenchmarkReport.Stage stage(List<Double> seconds) {
        return new BenchmarkReport.Stage("unet_step_cfg", 512, 2, seconds, 1L << 30, -1, 0);
    }
}
