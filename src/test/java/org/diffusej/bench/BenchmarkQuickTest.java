package org.diffusej.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CI mode of the benchmark: a small model of SD1.5's topology produces a well-formed report (no time asserted). */
class BenchmarkQuickTest {
    @Test
    void quickRunWritesWellFormedReport(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        BenchmarkOptions options = BenchmarkOptions.parse("--quick", "--warmup", "0", "--sizes", "64,128",
                "--threads", "1", "--json", json.toString());
        List<String> log = new ArrayList<>();
        BenchmarkReport report = new Benchmark(options).run(log::add);
        report.write(json);

        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(BenchmarkReport.SCHEMA, root.get("schema").getAsString());
        assertEquals("1", root.getAsJsonObject("environment").get("threads").getAsString());
        assertTrue(root.getAsJsonObject("environment").get("attention").getAsString().startsWith("native"));
        assertTrue(root.getAsJsonObject("reference").get("seconds").getAsDouble() > 0);
        JsonArray stages = root.getAsJsonArray("stages");
        assertEquals(5, stages.size(), "text encode + (UNet step, VAE decode) x 2 sizes");
        Set<String> names = Set.of("text_encode", "unet_step_cfg", "vae_decode");
        for (int i = 0; i < stages.size(); i++) {
            JsonObject s = stages.get(i).getAsJsonObject();
            assertTrue(names.contains(s.get("stage").getAsString()), s.toString());
            assertEquals(2, s.getAsJsonArray("seconds").size(), "--quick measures 2 runs");
            assertTrue(s.get("median_seconds").getAsDouble() > 0, s.toString());
            assertTrue(Double.isFinite(s.get("ratio_to_reference").getAsDouble()), s.toString());
            assertEquals(-1, s.get("device_memory_bytes").getAsLong(), "CPU run has no device memory");
        }
        if (Files.exists(Path.of("/proc/self/status"))) {
            long runPeak = root.get("peak_rss_bytes").getAsLong();
            for (int i = 0; i < stages.size(); i++) {
                long stagePeak = stages.get(i).getAsJsonObject().get("peak_rss_bytes").getAsLong();
                assertTrue(stagePeak > 0 && stagePeak <= runPeak, "run peak covers every stage's peak");
            }
        }
        assertTrue(log.stream().anyMatch(l -> l.startsWith("unet_step_cfg 128")), log.toString());
        assertTrue(report.table().contains("vae_decode"), report.table());
    }

    @Test
    void bfloat16RunReportsItsPrecision() throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parse("--quick", "--precision", "bf16", "--warmup", "0",
                "--steps", "1", "--sizes", "64", "--threads", "1");
        BenchmarkReport report = new Benchmark(options).run(line -> { });
        assertTrue(report.table().contains("bf16"), report.table());
        assertTrue(report.table().contains("unet_step_cfg"), report.table());
    }
}
