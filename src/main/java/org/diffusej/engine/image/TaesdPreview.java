package org.diffusej.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.vae.Taesd;

/**
 * A preview of sampled latents through a tiny autoencoder (TAESD): the first latent of the batch only. Up to
 * {@link #MAX_LATENT_POSITIONS} latent positions (images up to 384² in SD) it is decoded at full size; larger latents
 * are first averaged over f×f blocks (f = 2, 4, … until they fit), so a 512² image gives a 256² preview. TAESD's cost
 * grows with the pixels it makes (a 512² decode is ~140 GFLOP, ~3 CPU-seconds on a 2-core AVX2 EPYC, about 20 % of a
 * 512² UNet pass); the pooled preview costs a quarter of that. Pooled latents decode to a softer picture of the same
 * composition and colours, which is what a progress preview needs.
 */
public final class TaesdPreview {
    /** Largest latent area decoded without pooling (48² latents: a 384² SD image). */
    public static final int MAX_LATENT_POSITIONS = 48 * 48;

    private TaesdPreview() { }

    /** {@code [N,4,h,w]} latents (as sampled) → the first one decoded, RGB in [0, 1] at (8h/f)×(8w/f). */
    public static RgbImage of(Taesd taesd, NDArray latents) {
        try (NDScope scope = new NDScope()) {
            NDArray first = latents.getShape().dimension() == 4 ? latents.get("0:1") : latents.expandDims(0);
            NDArray small = pooled(first, poolFactor(first.getShape().get(2), first.getShape().get(3)));
            return ImageTensors.toImage(taesd.decode(small.div((float) taesd.scalingFactor())));
        }
    }

    /** The smallest power of two f with (h/f)·(w/f) ≤ {@link #MAX_LATENT_POSITIONS}. */
    static int poolFactor(long h, long w) {
        int f = 1;
        while ((h / f) * (w / f) > MAX_LATENT_POSITIONS && h / f > 1 && w / f > 1) f *= 2;
        return f;
    }

    /** {@code [1,C,h,w]} averaged over f×f blocks → {@code [1,C,h/f,w/f]} (a last partial row/column is dropped). */
    static NDArray pooled(NDArray x, int f) {
        if (f == 1) return x;
        long c = x.getShape().get(1), h = x.getShape().get(2) / f, w = x.getShape().get(3) / f;
        NDArray cropped = x.get(":, :, 0:" + h * f + ", 0:" + w * f);
        return cropped.reshape(new Shape(1, c, h, f, w, f)).mean(new int[] {5}).mean(new int[] {3}); // [1, C, h, w]
    }
}
