package org.diffusej.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resident memory of this process from Linux's {@code /proc/self/status}: current (VmRSS) and peak (VmHWM), with
 * the peak resettable per benchmark stage through {@code /proc/self/clear_refs}. Elsewhere every value is -1.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {
    }

    /** CPU time of the whole process (all threads, user and system) in nanoseconds, or -1 where the JVM cannot say. */
    public static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** Peak resident set size in bytes since start or the last {@link #resetPeak()}, or -1. */
    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    /** Current resident set size in bytes, or -1. */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    /** Makes the peak start again from the current resident size; false where the kernel does not allow it. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            List<String> lines = Files.readAllLines(STATUS, StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // reported in kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
