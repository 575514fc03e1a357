package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.diffusej.engine.image.ImageTensors;
import org.diffusej.engine.vae.TiledVae;
import org.diffusej.engine.vae.Vae;

import java.util.List;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.RgbImage;

/**
 * Images ⇄ the scaled latents the UNet works on, through the model's VAE (diffusers' encode-sample and decode).
 * Images above {@link TiledVae#DEFAULT_THRESHOLD_PIXELS} px go through the VAE in blended tiles to bound memory.
 */
final class LatentCodec {
    private final Vae vae;
    private final TiledVae tiles;
    private final float scalingFactor;

    LatentCodec(Vae vae) {
        this.vae = vae;
        this.tiles = new TiledVae(vae);
        this.scalingFactor = (float) vae.config().scalingFactor();
    }

    /** Pixels per latent pixel. */
    int downscale() {
        return vae.config().downscale();
    }

    /**
     * A sample of the VAE posterior of {@code image} ({@code [B,3,H,W]} in [−1, 1]), times the scaling factor:
     * mean + exp(logvar/2)·noise with logvar clamped to [−30, 20]; draws one noise tensor.
     */
    NDArray encode(NDArray image, NoiseSource noise) {
        NDArray moments = tiles.encodeMoments(image);                                 // [B, 2z, h, w]
        NDList parts = moments.split(2, 1);
        NDArray std = parts.get(1).clip(-30f, 20f).mul(0.5f).exp();
        NDArray eps = noise.next(parts.get(0).getShape(), image.getManager());
        return parts.get(0).add(std.mul(eps)).mul(scalingFactor);                // [B, z, h, w]
    }

    /** Scaled latents {@code [B,z,h,w]} → one image per item, RGB in [0, 1]. */
    List<RgbImage> decode(NDArray latents) {
        return ImageTensors.toImages(tiles.decode(latents.div(scalingFactor)));
    }
}
