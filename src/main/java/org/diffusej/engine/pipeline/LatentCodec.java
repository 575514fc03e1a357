package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.diffusej.engine.image.ImageTensors;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.vae.TiledVae;
import org.diffusej.engine.vae.Vae;

import java.util.List;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.RgbImage;

/**
 * Images ⇄ the scaled latents the UNet works on, through the model's VAE (diffusers' encode-sample and decode).
 * Images above {@link TiledVae#DEFAULT_THRESHOLD_PIXELS} px go through the VAE in blended tiles to bound memory.
 * With a tiny autoencoder (TAESD) in place of the VAE, encoding is deterministic (no posterior, no noise draw) and
 * decoding ~100× cheaper.
 */
final class LatentCodec {
    private final Vae vae;
    private final TiledVae tiles;
    private final Taesd taesd; // replaces the VAE when set
    private final float scalingFactor;

    LatentCodec(Vae vae) {
        this(vae, null);
    }

    LatentCodec(Vae vae, Taesd taesd) {
        this.vae = vae;
        this.taesd = taesd;
        this.tiles = new TiledVae(vae);
        this.scalingFactor = (float) (taesd != null ? taesd.scalingFactor() : vae.config().scalingFactor());
    }

    /** Pixels per latent pixel. */
    int downscale() {
        return taesd != null ? taesd.downscale() : vae.config().downscale();
    }

    /**
     * A sample of the VAE posterior of {@code image} ({@code [B,3,H,W]} in [−1, 1]), times the scaling factor:
     * mean + exp(logvar/2)·noise with logvar clamped to [−30, 20]; draws one noise tensor.
     */
    NDArray encode(NDArray image, NoiseSource noise) {
        if (taesd != null) {
            if (!taesd.hasEncoder())
                throw new IllegalStateException("the tiny autoencoder has no encoder: give the encoder file too, or "
                        + "use it for previews only");
            return taesd.encode(image).mul(scalingFactor);
        }
        NDArray moments = tiles.encodeMoments(image);                                 // [B, 2z, h, w]
        NDList parts = moments.split(2, 1);
        NDArray std = parts.get(1).clip(-30f, 20f).mul(0.5f).exp();
        NDArray eps = noise.next(parts.get(0).getShape(), image.getManager());
        return parts.get(0).add(std.mul(eps)).mul(scalingFactor);                // [B, z, h, w]
    }

    /** Scaled latents {@code [B,z,h,w]} → one image per item, RGB in [0, 1]. */
    List<RgbImage> decode(NDArray latents) {
        NDArray unscaled = latents.div(scalingFactor);
        return ImageTensors.toImages(taesd != null ? taesd.decode(unscaled) : tiles.decode(unscaled));
    }
}
