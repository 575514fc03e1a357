package org.diffusej.engine.weights;

/** The Stable Diffusion generations DiffuseJ runs: they differ in text encoder, attention layout and defaults. */
public enum ModelFamily {
    /** SD 1.x: CLIP ViT-L/14 text encoder (last layer), 1×1-conv transformer projections, 8 heads. */
    SD1,
    /** SD 2.x: OpenCLIP ViT-H/14 text encoder (penultimate layer), linear projections, 64-channel heads. */
    SD2,
    /** SDXL: CLIP ViT-L + OpenCLIP ViT-bigG (penultimate layers concatenated, pooled projection), text_time embedding. */
    SDXL;

    /**
     * The (first) text encoder's activation as diffusers' {@code hidden_act}, for files without a config:
     * "gelu" for SD2's OpenCLIP ViT-H, "quick_gelu" for CLIP ViT-L (SD1, SDXL's first encoder).
     */
    public String textHiddenAct() {
        return this == SD2 ? "gelu" : "quick_gelu";
    }
}
