package org.diffusej.engine.runtime;

import java.util.List;

/**
 * The verdict for a reduced precision on this host: whether every op that precision uses matched fp32 within the
 * format's rounding and deterministically ({@link PrecisionQualifier}).
 *
 * @param precision the precision checked, e.g. "bf16"
 * @param qualifies true when every check passed
 * @param summary   one sentence for users and logs
 * @param checks    one per op, in the order run (empty when the check could not run)
 * @param fromCache true when read from the verdict cache instead of measured now
 * @param seconds   how long producing this verdict took (the self-test, or the cache read)
 * @param hostKey   what the verdict holds for: CPU model and flags, libtorch version, oneDNN ISA cap
 */
public record PrecisionVerdict(String precision, boolean qualifies, String summary, List<OpCheck> checks,
                               boolean fromCache, double seconds, String hostKey) {
    public PrecisionVerdict {
        checks = List.copyOf(checks);
    }

    /** The first failed check, or null. */
    public OpCheck firstFailure() {
        return checks.stream().filter(c -> !c.passed()).findFirst().orElse(null);
    }

    /** This verdict as read back from the cache, with the time the read took. */
    PrecisionVerdict cached(double readSeconds) {
        return new PrecisionVerdict(precision, qualifies, summary, checks, true, readSeconds, hostKey);
    }
}
