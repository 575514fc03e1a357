package org.diffusej.diagnostics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory: the machine's RAM (Linux /proc/meminfo), the Java heap limit, and whether libtorch's tensors sit on huge
 * pages (which the memory-bound layers need to be fast).
 *
 * @param totalRamBytes     MemTotal, or -1 where unknown
 * @param availableRamBytes MemAvailable, or -1 where unknown
 * @param jvmMaxHeapBytes   the JVM's -Xmx (tensors live outside it, in native memory)
 * @param hugePages         how DiffuseJ set up libtorch's allocator
 * @param kernelHugePages   the kernel's transparent-huge-page mode ({@code always}, {@code madvise}, {@code never}),
 *                          or why unknown
 */
public record MemorySection(long totalRamBytes, long availableRamBytes, long jvmMaxHeapBytes, String hugePages,
                            String kernelHugePages) implements Facts {
    private static final Pattern SELECTED = Pattern.compile("\\[(\\w+)]");

    /** Reads {@code meminfo} and {@code thpEnabled} (normally under /proc and /sys); missing files give -1/unknown. */
    static MemorySection read(Path meminfo, Path thpEnabled, Supplier<String> hugePages) throws IOException {
        List<String> lines = Files.isRegularFile(meminfo) ? Files.readAllLines(meminfo, StandardCharsets.UTF_8) : List.of();
        String thp = "unknown (no " + thpEnabled + ")";
        if (Files.isRegularFile(thpEnabled)) {
            String text = Files.readString(thpEnabled, StandardCharsets.UTF_8).trim();
            Matcher m = SELECTED.matcher(text);
            thp = m.find() ? m.group(1) : text;
        }
        return new MemorySection(kilobytes(lines, "MemTotal:"), kilobytes(lines, "MemAvailable:"),
                Runtime.getRuntime().maxMemory(), hugePages.get(), thp);
    }

    /** A "Name:  123 kB" line of /proc/meminfo in bytes, or -1. */
    static long kilobytes(List<String> meminfo, String name) {
        for (String line : meminfo)
            if (line.startsWith(name)) return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) * 1024;
        return -1;
    }

    @Override
    public List<Line> lines() {
        return List.of(
                new Line("RAM", totalRamBytes < 0 ? "unknown (no /proc/meminfo)"
                        : ReportText.bytes(totalRamBytes) + " total, " + ReportText.bytes(availableRamBytes) + " available"),
                new Line("Java heap", ReportText.bytes(jvmMaxHeapBytes) + " max (tensors live outside the heap)"),
                new Line("huge pages", hugePages + "; kernel mode: " + kernelHugePages
                        + (kernelHugePages.equals("never") ? " (no huge pages: memory-bound layers run slower)" : "")));
    }
}
