package org.diffusej.engine.weights;

/** The Stable Diffusion generations DiffuseJ runs: they differ in text encoder, attention layout and defaults. */
public enum ModelFamily {
    /** SD 1.x: CLIP ViT-L/14 text encoder (last layer), 1×1-conv transformer projections, 8 heads. */
    SD1,
    /** SD 2.x: OpenCLIP ViT-H/14 text encoder (penultimate layer), linear projections, 64-channel heads. */
    SD2,
    /** SDXL: CLIP ViT-L + OpenCLIP ViT-bigG (penultimate layers concatenated, pooled projection), text_time embedding. */
    SDXL
}
