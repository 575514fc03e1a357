package org.diffusej.diagnostics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CPU as the report shows it: model name, the instruction-set flags that decide speed and precision, and how
 * many logical CPUs Java may use.
 *
 * @param model       the "model name" of /proc/cpuinfo (or the architecture where there is none)
 * @param flags       each of {@link #FLAGS} with whether the CPU has it; empty where /proc/cpuinfo is missing
 * @param logicalCpus logical CPUs available to this JVM (cgroup and affinity limits included)
 */
public record CpuSection(String model, Map<String, Boolean> flags, int logicalCpus) implements Facts {
    /** The flags that matter: fp32 kernels (avx2, fma, avx512f), fp16 conversion (f16c), native bf16 (the rest). */
    public static final List<String> FLAGS = List.of("avx2", "fma", "f16c", "avx512f", "avx512_bf16", "amx_tile",
            "amx_bf16");

    /** Reads {@code cpuinfo} (normally /proc/cpuinfo); a missing file gives the architecture and no flags. */
    static CpuSection read(Path cpuinfo) throws IOException {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (!Files.isRegularFile(cpuinfo))
            return new CpuSection(System.getProperty("os.arch") + " (no " + cpuinfo + ": flags unknown)", Map.of(), cpus);
        return parse(Files.readAllLines(cpuinfo, StandardCharsets.UTF_8), cpus);
    }

    /** The first processor's model name and flags from the lines of a /proc/cpuinfo. */
    static CpuSection parse(List<String> cpuinfo, int logicalCpus) {
        String model = null;
        Set<String> present = null;
        for (String line : cpuinfo) {
            String value = line.substring(line.indexOf(':') + 1).trim();
            if (model == null && line.startsWith("model name")) model = value;
            if (present == null && line.startsWith("flags"))
                present = Arrays.stream(value.split("\\s+")).collect(Collectors.toSet());
        }
        Map<String, Boolean> flags = new LinkedHashMap<>();
        if (present != null) for (String f : FLAGS) flags.put(f, present.contains(f));
        return new CpuSection(model == null ? "unknown (no model name in /proc/cpuinfo)" : model, flags, logicalCpus);
    }

    @Override
    public List<Line> lines() {
        List<String> has = new ArrayList<>(), lacks = new ArrayList<>();
        flags.forEach((f, on) -> (on ? has : lacks).add(f));
        return List.of(new Line("model", model),
                new Line("flags", flags.isEmpty() ? "unknown"
                        : "has " + (has.isEmpty() ? "none" : String.join(" ", has))
                        + (lacks.isEmpty() ? "" : "; lacks " + String.join(" ", lacks))),
                new Line("logical CPUs", logicalCpus + " available to Java"));
    }
}
