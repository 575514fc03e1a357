package org.diffusej.engine.runtime;

import org.diffusej.engine.runtime.CpuFeatures;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * For tests of bf16 numbers: they run where bf16 passes its self-test on this host ({@link PrecisionQualifier#bf16()},
 * the verdict the engine itself uses) and are skipped, with the verdict's sentence, where it fails. The refusal and
 * fallback paths are tested on every host with simulated verdicts ({@code PrecisionResolverTest}), and a qualifier
 * that passes a wrong kernel fails {@code PrecisionQualifierTest}.
 */
public final class Bf16Gate {
    private Bf16Gate() {
    }

    /** Skips the calling test unless bf16 qualifies on this host. */
    public static void assumeBf16Qualifies() {
        PrecisionVerdict v = PrecisionQualifier.bf16();
        assumeTrue(v.qualifies(), () -> "bf16 does not qualify on this host: " + v.summary());
    }

    /**
     * {@link #assumeBf16Qualifies()}, and for SD 1.5-sized networks also native bf16: emulated bf16 (AVX2 hosts) took
     * 33-50 s per such network on a loaded 2-core machine, while the tiny variants cover the same layers in seconds.
     */
    public static void assumeBf16Qualifies(String variant) {
        assumeBf16Qualifies();
        assumeTrue(CpuFeatures.nativeBf16() || !variant.equals("sd15-shape"),
                "emulated bf16 at SD 1.5 shapes is slow; the tiny variants run the same layers");
    }
}
