package org.diffusej.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The guidance-scale embedding an LCM-distilled UNet takes as {@code timestep_cond} (diffusers'
 * {@code get_guidance_scale_embedding}): the guidance w = scale − 1, times 1000, as sinusoids
 * [sin(x·f_j), cos(x·f_j)] (sin first) with f_j = exp(−j·ln(10000)/(half−1)), zero-padded for odd widths.
 * Such models run without classifier-free guidance: the scale is an input, not a second UNet pass.
 */
public final class GuidanceEmbedding {
    private static final double MAX_PERIOD = 10000.0;
    private static final float W_SCALE = 1000f;

    private GuidanceEmbedding() { }

    /** The embedding of guidance scale {@code cfgScale} (as users give it: 8 means w = 7): [1, dim] float32. */
    public static NDArray forScale(double cfgScale, int dim, NDManager manager) {
        return of(manager.create(new float[] {(float) (cfgScale - 1)}), dim);
    }

    /** Embeddings of guidance values {@code w} [N] (already minus 1): [N, dim] float32. */
    public static NDArray of(NDArray w, int dim) {
        if (dim < 4) throw new IllegalArgumentException("guidance embedding width must be at least 4, got " + dim);
        NDManager m = w.getManager();
        int half = dim / 2;
        NDArray freqs = m.arange(0, half, 1, DataType.FLOAT32)
                .mul(-(float) Math.log(MAX_PERIOD) / (half - 1)).exp();                  // [half]
        NDArray x = w.toType(DataType.FLOAT32, false).mul(W_SCALE).reshape(-1, 1).mul(freqs.reshape(1, half));
        NDArray emb = x.sin().concat(x.cos(), 1);                                         // [N, 2·half]
        if (dim % 2 == 1) emb = emb.concat(m.zeros(new ai.djl.ndarray.types.Shape(emb.getShape().get(0), 1)), 1);
        return emb;
    }
}
