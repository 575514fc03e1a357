package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.image.ImageTensors;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.Mode;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.Request;

/**
 * The latents a run starts from, and for inpainting what the loop needs besides, drawing noise exactly in the order
 * diffusers' pipelines do (so seeded runs match them): img2img: VAE sample, then the re-noising noise; inpaint:
 * VAE sample of the image (4-channel models or strength &lt; 1), latent noise, VAE sample of the masked image.
 * 9-channel inpainting models get their extra input in every mode ({@link #wholeImage} without a mask).
 *
 * @param latents    {@code [B,4,h,w]} starting latents
 * @param inpainting the inpaint part of the loop, or null
 */
record LatentStart(NDArray latents, DenoisingLoop.Inpainting inpainting) {

    static LatentStart of(Request r, PreparedInput job, LatentCodec codec, Sampler sampler, int start, NoiseSource noise,
                          boolean inpaintingModel, NDManager m) {
        int b = r.batchSize();
        int f = codec.downscale();
        Shape shape = new Shape(b, 4, job.height() / f, job.width() / f);
        float sigma = sampler.initNoiseSigma();
        if (r.mode() == Mode.TXT2IMG)
            return new LatentStart(noise.next(shape, m).mul(sigma), inpaintingModel ? wholeImage(job, codec, b, m) : null);
        NDArray image = ImageTensors.toTensor(job.image(), m).repeat(0, b);              // [B, 3, H, W]
        if (r.mode() == Mode.IMG2IMG) {
            NDArray imageLatents = codec.encode(image, noise);
            return new LatentStart(sampler.addNoise(imageLatents, noise.next(shape, m), start),
                    inpaintingModel ? wholeImage(job, codec, b, m) : null);
        }
        // inpaint
        boolean fullStrength = r.strength() >= 1.0;
        NDArray imageLatents = !inpaintingModel || !fullStrength ? codec.encode(image, noise) : null;
        NDArray binary = binarized(job, m);                                             // [1, 1, H, W]
        NDArray latentMask = nearest(binary, f).repeat(0, b);                            // [B, 1, h, w]
        if (imageLatents != null) imageLatents = maskedContent(r, imageLatents, latentMask, noise, shape, m);
        NDArray latentNoise = noise.next(shape, m);
        NDArray latents = fullStrength ? latentNoise.mul(sigma) : sampler.addNoise(imageLatents, latentNoise, start);
        NDArray maskedImage = image.mul(binary.lt(0.5f).toType(image.getDataType(), false));
        NDArray maskedLatents = codec.encode(maskedImage, noise);
        DenoisingLoop.Inpainting in = inpaintingModel
                ? new DenoisingLoop.Inpainting(latentMask, maskedLatents, null, null)
                : new DenoisingLoop.Inpainting(latentMask, null, imageLatents, latentNoise);
        return new LatentStart(latents, in);
    }

    /**
     * The extra UNet input of a 9-channel inpainting model when there is no mask (txt2img, img2img), as AUTOMATIC1111
     * builds it: the whole image is masked, so the mask is all ones and the masked image is all zeros in [−1, 1]
     * (mid grey; {@code txt2img_image_conditioning} encodes a 0.5 image in [0, 1], {@code inpainting_image_conditioning}
     * without a mask takes {@code lerp(image, image·(1 − 1), inpainting_mask_weight = 1)} = 0). A1111 samples the VAE
     * posterior with its unseeded global generator; the posterior mean is used here so the seeded noise stream is
     * untouched (for a flat image the posterior's spread is tiny).
     */
    static DenoisingLoop.Inpainting wholeImage(PreparedInput job, LatentCodec codec, int b, NDManager m) {
        return wholeImage(job.width(), job.height(), codec, b, m);
    }

    /** {@link #wholeImage(PreparedInput, LatentCodec, int, NDManager)} for {@code width × height} pixels (the hires pass's size). */
    static DenoisingLoop.Inpainting wholeImage(int width, int height, LatentCodec codec, int b, NDManager m) {
        int f = codec.downscale();
        NDArray grey = m.zeros(new Shape(1, 3, height, width));                            // [1, 3, H, W]
        NDArray latents = codec.encode(grey, (shape, manager) -> manager.zeros(shape)).repeat(0, b); // [B, 4, h, w]
        NDArray mask = m.ones(new Shape(b, 1, height / f, width / f));                      // [B, 1, h, w]
        return new DenoisingLoop.Inpainting(mask, latents, null, null);
    }

    /** The processing mask as 0/1 at pixel resolution (diffusers binarises at 0.5). */
    private static NDArray binarized(PreparedInput job, NDManager m) {
        NDArray mask = ImageTensors.toTensor(job.inpaint().mask(), m);
        return mask.gte(0.5f).toType(mask.getDataType(), false);
    }

    /** Nearest-neighbour downscale by an integer factor (torch's interpolate default: source pixel = f·target). */
    private static NDArray nearest(NDArray mask, int f) {
        Shape s = mask.getShape();
        return mask.get(":, :, 0:" + s.get(2) + ":" + f + ", 0:" + s.get(3) + ":" + f);
    }

    /** A1111 "latent noise" / "latent nothing": the masked area of the init latents replaced by noise or zeros. */
    private static NDArray maskedContent(Request r, NDArray imageLatents, NDArray latentMask, NoiseSource noise,
                                         Shape shape, NDManager m) {
        return switch (r.maskedContent()) {
            case LATENT_NOISE -> imageLatents.mul(latentMask.neg().add(1f)).add(noise.next(shape, m).mul(latentMask));
            case LATENT_NOTHING -> imageLatents.mul(latentMask.neg().add(1f));
            default -> imageLatents;
        };
    }
}
