package org.diffusej.engine.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Native bf16 is read from the CPU's flags: AMX or AVX512-BF16 have it; AVX2 and plain AVX-512 do not. */
class CpuFeaturesTest {
    @TempDir Path tmp;

    @Test
    void nativeBf16FromFlags() {
        assertTrue(CpuFeatures.hasNativeBf16(Set.of("avx2", "avx512f", "avx512_bf16")));
        assertTrue(CpuFeatures.hasNativeBf16(Set.of("avx512f", "amx_tile", "amx_bf16", "amx_int8")));
        assertFalse(CpuFeatures.hasNativeBf16(Set.of("fma", "avx2")), "AVX2 only (this project's CI machines)");
        assertFalse(CpuFeatures.hasNativeBf16(Set.of("avx512f", "avx512bw", "avx512_vnni")), "AVX-512 without bf16");
        assertFalse(CpuFeatures.hasNativeBf16(Set.of()));
    }

    @Test
    void readsTheFirstFlagsLineOfCpuinfo() throws Exception {
        Path cpuinfo = tmp.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nmodel name\t: Example CPU\nflags\t\t: fpu sse avx2 amx_bf16\n\n"
                + "processor\t: 1\nflags\t\t: fpu\n");
        assertEquals(Set.of("fpu", "sse", "avx2", "amx_bf16"), CpuFeatures.readFlags(cpuinfo));
        assertEquals("Example CPU", CpuFeatures.readField(cpuinfo, "model name"), "the CPU model keys the bf16 verdict");
        assertEquals(null, CpuFeatures.readField(cpuinfo, "microcode"));
        assertEquals(Set.of(), CpuFeatures.readFlags(tmp.resolve("missing")));
    }
}
