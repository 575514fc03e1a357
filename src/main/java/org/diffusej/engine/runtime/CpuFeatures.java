package org.diffusej.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** What the CPU can do that decides the default precision: native bfloat16 arithmetic (AVX512-BF16 or AMX-BF16). */
public final class CpuFeatures {
    /** /proc/cpuinfo flags that mean oneDNN runs bfloat16 convolutions and matrix products natively. */
    public static final List<String> BF16_FLAGS = List.of("amx_bf16", "avx512_bf16");

    private static volatile Set<String> flags;

    private CpuFeatures() {
    }

    /** True when the CPU has native bfloat16 arithmetic (Linux: read from /proc/cpuinfo; elsewhere false). */
    public static boolean nativeBf16() {
        return hasNativeBf16(flags());
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
        try {
            for (String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8)) {
                if (line.startsWith("flags")) {
                    return Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                            .collect(Collectors.toUnmodifiableSet());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: no flags known
        }
        return Set.of();
    }
}
