package org.diffusej.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.RgbImage;

/**
 * A cheap preview of latents during sampling: each latent pixel becomes one RGB pixel through a fixed linear map
 * (AUTOMATIC1111's "Approx cheap", with its own coefficients for SDXL's latent space), 1/8 of the final size, no VAE.
 */
public final class LatentPreview {
    /** RGB contribution of each of the 4 latent channels, for latents as sampled (scaled by the VAE factor). */
    private static final float[][] FACTORS = {
            {0.298f, 0.207f, 0.208f},
            {0.187f, 0.286f, 0.173f},
            {-0.158f, 0.189f, 0.264f},
            {-0.184f, -0.271f, -0.473f},
    };

    /** The same for SDXL latents (A1111's {@code cheap_approximation} when {@code is_sdxl}). */
    private static final float[][] SDXL_FACTORS = {
            {0.3448f, 0.4168f, 0.4395f},
            {-0.1953f, -0.0290f, 0.0250f},
            {0.1074f, 0.0886f, -0.0163f},
            {-0.3730f, -0.2499f, -0.2088f},
    };

    private LatentPreview() { }

    /** The preview of the first latent of {@code [N,4,h,w]} (or {@code [4,h,w]}) of SD1/SD2: an h×w image. */
    public static RgbImage of(NDArray latents) {
        return of(latents, FACTORS);
    }

    /** The preview of SDXL latents (its latent space maps to colours differently), as {@link #of(NDArray)}. */
    public static RgbImage ofSdxl(NDArray latents) {
        return of(latents, SDXL_FACTORS);
    }

    private static RgbImage of(NDArray latents, float[][] factors) {
        Shape s = latents.getShape();
        int d = s.dimension();
        if (d < 3 || s.get(d - 3) != 4) throw new IllegalArgumentException("expected [N,4,h,w] latents, got " + s);
        int h = (int) s.get(d - 2), w = (int) s.get(d - 1), n = h * w;
        float[] all = ImageTensors.floats(latents); // only the first latent is used
        float[] z = java.util.Arrays.copyOf(all, 4 * n);
        float[] rgb = new float[3 * n];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++) {
                float v = 0;
                for (int l = 0; l < 4; l++) v += z[l * n + i] * factors[l][c];
                rgb[c * n + i] = Math.min(1f, Math.max(0f, (v + 1f) / 2f));
            }
        return new RgbImage(w, h, rgb);
    }
}
