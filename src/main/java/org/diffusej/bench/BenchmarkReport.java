package org.diffusej.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one benchmark run measured: the environment, the reference workload's time and, per stage, the timed
 * runs after warm-up with their median, its ratio to the reference, and peak memory. Prints as a table and
 * serialises to JSON (schema {@value #SCHEMA}).
 */
public final class BenchmarkReport {
    /** Identifies the JSON layout for tools reading reports. */
    public static final String SCHEMA = "diffusej-bench/1";

    /**
     * Timings of one stage at one size.
     *
     * @param stage          text_encode, unet_step_cfg or vae_decode
     * @param size           image edge in pixels (0 when the stage has no image size)
     * @param batch          batch size of one run (2 for a CFG UNet step: unconditional + conditional)
     * @param seconds        wall time of each measured run
     * @param peakRssBytes   peak resident memory of the process during this stage, -1 if unknown
     * @param deviceBytes    largest GPU memory in use seen after a run of this stage, -1 on CPU
     * @param referenceSeconds median of the reference workload timed three times before and three times after this
     *                       stage (load on shared machines changes during a run), 0 to use the run's initial
     *                       reference
     */
    public record Stage(String stage, int size, int batch, List<Double> seconds, long peakRssBytes, long deviceBytes,
            double referenceSeconds) {
        public Stage {
            if (seconds.isEmpty()) {
                throw new IllegalArgumentException("a stage needs at least one measured run");
            }
            seconds = List.copyOf(seconds);
        }

        /** Median of the measured runs in seconds. */
        public double medianSeconds() {
            double[] sorted = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int mid = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    private final Map<String, String> environment;
    private final double referenceSeconds;
    private final List<Stage> stages;
    private final long peakRssBytes;

    /**
     * @param environment      ordered facts about the run (cpu, threads, device, precision, attention, model ...)
     * @param referenceSeconds median time of the {@link ReferenceWorkload} at the start of this run
     * @param stages           measured stages in run order
     * @param peakRssBytes     peak resident memory of the whole run, -1 if unknown
     */
    public BenchmarkReport(Map<String, String> environment, double referenceSeconds, List<Stage> stages,
            long peakRssBytes) {
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        this.referenceSeconds = referenceSeconds;
        this.stages = List.copyOf(stages);
        this.peakRssBytes = peakRssBytes;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public double referenceSeconds() {
        return referenceSeconds;
    }

    public List<Stage> stages() {
        return stages;
    }

    public long peakRssBytes() {
        return peakRssBytes;
    }

    /** The stage's median divided by the reference workload's time (machine-independent-ish figure). */
    public double ratio(Stage stage) {
        return stage.medianSeconds() / (stage.referenceSeconds() > 0 ? stage.referenceSeconds() : referenceSeconds);
    }

    /** JSON form of the report. */
    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("schema", SCHEMA);
        JsonObject env = new JsonObject();
        environment.forEach(env::addProperty);
        root.add("environment", env);
        JsonObject reference = new JsonObject();
        reference.addProperty("name", "fp32 conv3x3 320->320 on 1x320x64x64 + 4096x320x1280 matmul");
        reference.addProperty("seconds", referenceSeconds);
        reference.addProperty("gflops_per_second", ReferenceWorkload.FLOPS / referenceSeconds / 1e9);
        root.add("reference", reference);
        JsonArray list = new JsonArray();
        for (Stage s : stages) {
            JsonObject o = new JsonObject();
            o.addProperty("stage", s.stage());
            o.addProperty("size", s.size());
            o.addProperty("batch", s.batch());
            o.addProperty("median_seconds", s.medianSeconds());
            o.addProperty("ratio_to_reference", ratio(s));
            o.addProperty("reference_seconds", s.referenceSeconds() > 0 ? s.referenceSeconds() : referenceSeconds);
            JsonArray runs = new JsonArray();
            s.seconds().forEach(runs::add);
            o.add("seconds", runs);
            o.addProperty("peak_rss_bytes", s.peakRssBytes());
            o.addProperty("device_memory_bytes", s.deviceBytes());
            list.add(o);
        }
        root.add("stages", list);
        root.addProperty("peak_rss_bytes", peakRssBytes);
        return root;
    }

    /** Writes {@link #toJson()} pretty-printed to {@code file}. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(toJson()) + "\n",
                StandardCharsets.UTF_8);
    }

    /** Human-readable table: environment lines, then one row per stage. */
    public String table() {
        StringBuilder out = new StringBuilder();
        environment.forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-12s %s%n", k, v)));
        out.append(String.format(Locale.ROOT, "%-12s %.3f s (%.1f GFLOP/s)%n", "reference", referenceSeconds,
                ReferenceWorkload.FLOPS / referenceSeconds / 1e9));
        out.append(String.format(Locale.ROOT, "%-14s %6s %5s %10s %10s %8s %8s %11s%n", "stage", "size", "batch",
                "median s", "min s", "ref s", "x ref", "peak RSS"));
        for (Stage s : stages) {
            double min = Collections.min(s.seconds());
            double ref = s.referenceSeconds() > 0 ? s.referenceSeconds() : referenceSeconds;
            out.append(String.format(Locale.ROOT, "%-14s %6s %5d %10.3f %10.3f %8.3f %8.2f %11s%n", s.stage(),
                    s.size() > 0 ? s.size() + "²" : "-", s.batch(), s.medianSeconds(), min, ref, ratio(s),
                    gib(s.peakRssBytes())));
        }
        out.append(String.format(Locale.ROOT, "peak RSS of the run: %s%n", gib(peakRssBytes)));
        List<String> device = new ArrayList<>();
        for (Stage s : stages) {
            if (s.deviceBytes() >= 0) {
                device.add(s.stage() + (s.size() > 0 ? "@" + s.size() : "") + " " + gib(s.deviceBytes()));
            }
        }
        if (!device.isEmpty()) {
            out.append("GPU memory in use (largest seen): ").append(String.join(", ", device)).append('\n');
        }
        return out.toString();
    }

    private static String gib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    @Override
    public String toString() {
        return table();
    }
}
