package org.diffusej.diagnostics;

import org.diffusej.engine.runtime.CpuFeatures;

import java.util.List;

/**
 * The reduced-precision verdicts of this host for the report. TEMPORARY: until the engine's bf16 self-test exists,
 * the verdict says only whether the CPU has native bf16 arithmetic ({@link CpuFeatures#nativeBf16()}), which is what
 * {@code auto} goes by today.
 */
final class HostPrecisionVerdicts {

    private HostPrecisionVerdicts() {
    }

    // replaced by PrecisionQualifier when the precision branch lands: import org.diffusej.engine.runtime.PrecisionQualifier
    // and PrecisionVerdict, drop the CpuFeatures import, and the body becomes
    //   PrecisionVerdict v = PrecisionQualifier.bf16();
    //   return new PrecisionSection.Verdict(v.precision(), v.qualifies(), v.summary(), v.checks().stream()
    //           .map(c -> new PrecisionSection.OpCheck(c.op(), c.maxError(), c.tolerance(), c.passed())).toList(),
    //           v.fromCache(), v.seconds(), v.hostKey());
    /** The bf16 verdict of this host. */
    static PrecisionSection.Verdict bf16() {
        boolean nativeBf16 = CpuFeatures.nativeBf16();
        String summary = nativeBf16
                ? "native bf16 arithmetic (" + String.join(" or ", CpuFeatures.BF16_FLAGS) + "), not self-tested"
                : "no native bf16 (" + String.join(", ", CpuFeatures.BF16_FLAGS) + "): emulated, many times slower";
        return new PrecisionSection.Verdict("bf16", nativeBf16, summary, List.of(), false, 0, "");
    }
}
