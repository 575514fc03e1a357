package org.diffusej.diagnostics;

import org.diffusej.engine.runtime.PrecisionQualifier;
import org.diffusej.engine.runtime.PrecisionVerdict;

/** The reduced-precision verdicts of this host for the report: the engine's bf16 self-test ({@link PrecisionQualifier}). */
final class HostPrecisionVerdicts {

    private HostPrecisionVerdicts() {
    }

    /** The bf16 verdict of this host (cached per host by the qualifier). */
    static PrecisionSection.Verdict bf16() {
        PrecisionVerdict v = PrecisionQualifier.bf16();
        return new PrecisionSection.Verdict(v.precision(), v.qualifies(), v.summary(), v.checks().stream()
                .map(c -> new PrecisionSection.OpCheck(c.op(), c.maxError(), c.tolerance(), c.passed())).toList(),
                v.fromCache(), v.seconds(), v.hostKey());
    }
}
