package org.diffusej.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the CPU can do that decides the default precision: native bfloat16 arithmetic (AVX512-BF16 or AMX-BF16); and the
 * CPU's name and vector flags, which select libtorch's kernels (they key the precision self-test's cached verdict).
 */
public final class CpuFeatures {
    /** /proc/cpuinfo flags that mean oneDNN runs bfloat16 convolutions and matrix products natively. */
    public static final List<String> BF16_FLAGS = List.of("amx_bf16", "avx512_bf16");

    /** Flags that select oneDNN's and libtorch's CPU kernels, in the order reports list them. */
    public static final List<String> FLAGS_THAT_MATTER = List.of("avx2", "fma", "f16c", "avx512f", "avx512bw",
            "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_fp16",
            "amx_int8");

    private static volatile Set<String> flags;
    private static volatile String modelName;

    private CpuFeatures() {
    }

    /** True when the CPU has native bfloat16 arithmetic (Linux: read from /proc/cpuinfo; elsewhere false). */
    public static boolean nativeBf16() {
        return hasNativeBf16(flags());
    }

    /** The flags of {@link #FLAGS_THAT_MATTER} this CPU has (Linux; empty elsewhere). */
    public static List<String> flagsThatMatter() {
        Set<String> f = flags();
        return FLAGS_THAT_MATTER.stream().filter(f::contains).toList();
    }

    /** The CPU's "model name" from /proc/cpuinfo, else {@code os.arch} (not Linux, or unreadable). */
    public static String modelName() {
        String m = modelName;
        if (m == null) {
            m = readField(Path.of("/proc/cpuinfo"), "model name");
            if (m == null) m = System.getProperty("os.arch", "unknown");
            modelName = m;
        }
        return m;
    }

    /** True when {@code cpuFlags} (the words of a /proc/cpuinfo "flags" line) include a native bf16 flag. */
    static boolean hasNativeBf16(Set<String> cpuFlags) {
        return BF16_FLAGS.stream().anyMatch(cpuFlags::contains);
    }

    /** The first "flags" line of /proc/cpuinfo as a set of words; empty where there is none. */
    static Set<String> flags() {
        Set<String> f = flags;
        if (f == null) {
            f = readFlags(Path.of("/proc/cpuinfo"));
            flags = f;
        }
        return f;
    }

    static Set<String> readFlags(Path cpuinfo) {
        String line = readField(cpuinfo, "flags");
        return line == null ? Set.of() : Arrays.stream(line.split("\\s+")).collect(Collectors.toUnmodifiableSet());
    }

    /** The value of the first {@code name : value} line of {@code cpuinfo}; null when absent or unreadable. */
    static String readField(Path cpuinfo, String name) {
        try {
            for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(name)) return line.substring(colon + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: nothing known
        }
        return null;
    }
}
