package org.diffusej.engine.runtime;

import ai.djl.Device;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Memory a job may still use: the free part of the Java heap (for images held as Java arrays), the RAM the
 * operating system can give (libtorch's tensors live outside the heap on the CPU) and, when the tensors live on a
 * GPU, that GPU's free memory. {@link #UNKNOWN} skips a check.
 *
 * @param heapFree        bytes the heap can still grow to: max − used
 * @param ramAvailable    bytes of RAM available to new allocations ({@code MemAvailable} of /proc/meminfo), or
 *                        {@link #UNKNOWN} (also on a GPU, where the tensors are not in RAM)
 * @param deviceAvailable bytes free on the GPU the tensors live on, or {@link #UNKNOWN} (the CPU, or not measurable)
 */
public record MemoryBudget(long heapFree, long ramAvailable, long deviceAvailable) {
    /** Memory of unknown size: that check is skipped. */
    public static final long UNKNOWN = Long.MAX_VALUE;

    /** A CPU budget: heap and RAM, no GPU. */
    public MemoryBudget(long heapFree, long ramAvailable) {
        this(heapFree, ramAvailable, UNKNOWN);
    }

    /** The budget now: the heap of this JVM, /proc/meminfo's MemAvailable (else the OS's free memory). */
    public static MemoryBudget current() {
        Runtime rt = Runtime.getRuntime();
        long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return new MemoryBudget(heapFree, systemRamAvailable());
    }

    /**
     * The budget for tensors on {@code gpu}: {@code host}'s heap, no RAM check (the tensors are not in RAM), and
     * {@code gpuFree}'s figure for the device; a CPU budget ({@code gpu} false) is {@code host} as it is.
     */
    public static MemoryBudget forDevice(MemoryBudget host, boolean gpu, LongSupplier gpuFree) {
        return gpu ? new MemoryBudget(host.heapFree(), UNKNOWN, gpuFree.getAsLong()) : host;
    }

    /**
     * Free memory of CUDA device {@code d} (total − used as the driver reports it), after libtorch returns its
     * cached blocks, which the driver counts as used; {@link #UNKNOWN} when it cannot be read. Not yet measured on
     * real GPU hardware.
     */
    public static long gpuFree(Device d) {
        try {
            ai.djl.pytorch.jni.JniUtils.emptyCudaCache();
        } catch (RuntimeException | LinkageError e) {
            // no PyTorch CUDA: the driver's figure below (if any) still counts
        }
        try {
            MemoryUsage m = ai.djl.util.cuda.CudaUtils.getGpuMemory(d);
            return m.getMax() > 0 ? Math.max(0, m.getMax() - m.getCommitted()) : UNKNOWN;
        } catch (RuntimeException | LinkageError e) {
            return UNKNOWN;
        }
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
