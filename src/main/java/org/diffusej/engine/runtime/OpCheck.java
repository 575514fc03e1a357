package org.diffusej.engine.runtime;

import java.util.Locale;

/**
 * One op's check: the op, its max abs error vs fp32, the tolerance, and whether it passed.
 *
 * <p>Tolerances are per element (they scale with each element's magnitude); {@code maxError} and {@code tolerance}
 * are those of the element that came closest to (or went furthest over) its tolerance, so that {@code passed} is
 * {@code maxError <= tolerance} for a deterministic op. An op whose two identical runs differ fails whatever its
 * error ({@code deterministic} false).
 *
 * @param op            what was checked, e.g. "conv2d 3x3 8->4"
 * @param maxError      |bf16 result - fp32 result| at the worst element (NaN when the result was not finite)
 * @param tolerance     the error bf16 rounding allows at that element
 * @param passed        within tolerance everywhere and deterministic
 * @param deterministic two runs on the same inputs gave bit-identical results
 */
public record OpCheck(String op, double maxError, double tolerance, boolean passed, boolean deterministic) {
    /** A deterministic op's check. */
    public OpCheck(String op, double maxError, double tolerance, boolean passed) {
        this(op, maxError, tolerance, passed, true);
    }

    /** What happened, as a clause: "conv2d 3x3 8->4 is off by 0.093 from fp32 (tolerance 0.024)". */
    public String describe() {
        if (!deterministic) return op + " gave different results on two identical runs";
        return String.format(Locale.ROOT, "%s is off by %.3g from fp32 (tolerance %.3g)", op, maxError, tolerance);
    }
}
