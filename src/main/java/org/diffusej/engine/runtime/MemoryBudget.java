package org.diffusej.engine.runtime;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory a job may still use: the free part of the Java heap (for images held as Java arrays) and the RAM the
 * operating system can give (libtorch's tensors live outside the heap). {@link #UNKNOWN} RAM skips that check.
 *
 * @param heapFree     bytes the heap can still grow to: max − used
 * @param ramAvailable bytes of RAM available to new allocations ({@code MemAvailable} of /proc/meminfo), or
 *                     {@link #UNKNOWN}
 */
public record MemoryBudget(long heapFree, long ramAvailable) {
    /** RAM of unknown size: only the heap is checked. */
    public static final long UNKNOWN = Long.MAX_VALUE;

    /** The budget now: the heap of this JVM, /proc/meminfo's MemAvailable (else the OS's free memory). */
    public static MemoryBudget current() {
        Runtime rt = Runtime.getRuntime();
        long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return new MemoryBudget(heapFree, systemRamAvailable());
    }

    private static long systemRamAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemAvailable:"))
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | RuntimeException ignored) {
            // not Linux: ask the JVM below
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getFreeMemorySize();
        return UNKNOWN;
    }
}
