package org.diffusej.engine.nn;

import java.util.Locale;

/**
 * Which implementation computes attention's softmax(q kᵀ/√d) v, chosen with the system property
 * {@value #PROPERTY}: {@code native} (default: libtorch's fused SDPA through {@link org.diffusej.engine.runtime.TorchOps}, falling back to
 * {@code sliced} when the helper module cannot load), {@code sliced} (explicit math over query slices, bounded
 * memory) or {@code explicit} (the whole score matrix at once; the reference form).
 */
public enum AttentionKernel {
    NATIVE, SLICED, EXPLICIT;

    /** System property naming the kernel. */
    public static final String PROPERTY = "diffusej.attention";

    /** The kernel selected by {@value #PROPERTY} (read on every call so tests and benchmarks can switch). */
    public static AttentionKernel selected() {
        String value = System.getProperty(PROPERTY, "native").trim().toUpperCase(Locale.ROOT);
        try {
            return valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be native, sliced or explicit, not "
                    + System.getProperty(PROPERTY), e);
        }
    }
}
