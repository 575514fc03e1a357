package org.diffusej.engine.runtime;

import ai.djl.ndarray.types.DataType;

/**
 * How the precision was chosen: requested, used, why (one sentence), the verdict used (may be null).
 *
 * @param requested what the user asked for: "auto", "fp32", "fp16" or "bf16"
 * @param used      the precision the model runs in
 * @param reason    one sentence, e.g. "auto: fp32, because this CPU has no native bf16 (AVX512-BF16 or AMX)."
 * @param verdict   the self-test verdict the choice rests on; null when none was needed
 */
public record PrecisionChoice(String requested, DataType used, String reason, PrecisionVerdict verdict) {
    /** True when the requested precision was replaced by another (an explicit bf16 that failed its self-test). */
    public boolean fellBack() {
        return !"auto".equals(requested) && !requested.equals(name(used));
    }

    /** The user-facing name of a precision: fp32, fp16 or bf16. */
    public static String name(DataType t) {
        return switch (t) {
            case FLOAT16 -> "fp16";
            case BFLOAT16 -> "bf16";
            default -> "fp32";
        };
    }
}
