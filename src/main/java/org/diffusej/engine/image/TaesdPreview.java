package org.diffusej.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.vae.Taesd;

/** A full-size preview of sampled latents through a tiny autoencoder (TAESD): the first latent of the batch only. */
public final class TaesdPreview {
    private TaesdPreview() { }

    /** {@code [N,4,h,w]} latents (as sampled) → the first one decoded, RGB in [0, 1] at (8h)×(8w). */
    public static RgbImage of(Taesd taesd, NDArray latents) {
        try (NDScope scope = new NDScope()) {
            NDArray first = latents.getShape().dimension() == 4 ? latents.get("0:1") : latents.expandDims(0);
            return ImageTensors.toImage(taesd.decode(first.div((float) taesd.scalingFactor())));
        }
    }
}
