package org.diffusej.engine;

/** What the masked area starts from before inpainting (AUTOMATIC1111's "masked content", {@code inpainting_fill} 0..3). */
public enum MaskedContent {
    /** Blurred surrounding colours (A1111 "fill", 0). */
    FILL,
    /** The original pixels (A1111 "original", 1). */
    ORIGINAL,
    /** Fresh latent noise (A1111 "latent noise", 2). */
    LATENT_NOISE,
    /** Zero latents (A1111 "latent nothing", 3). */
    LATENT_NOTHING;

    /** A1111's {@code inpainting_fill} number. */
    public int a1111Index() {
        return ordinal();
    }

    public static MaskedContent fromA1111Index(int i) {
        MaskedContent[] v = values();
        if (i < 0 || i >= v.length) throw new IllegalArgumentException("inpainting_fill must be 0..3, got " + i);
        return v[i];
    }
}
