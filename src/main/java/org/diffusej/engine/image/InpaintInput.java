package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.RgbImage;

/**
 * The image side of an AUTOMATIC1111-style inpaint, before and after denoising (webui v1.10.1
 * {@code StableDiffusionProcessingImg2Img.init} and {@code apply_overlay}):
 * <ol>
 *   <li>invert the mask if asked, feather it ({@link GaussianBlur#feather}, "Mask blur");</li>
 *   <li>"only masked": cut out the feathered mask's bounds + padding grown to the processing aspect and scale it
 *       to the processing size ({@link InpaintRegion}); "whole picture": scale image and mask to the processing size;</li>
 *   <li>masked content other than "original": pre-fill the masked area with blurred surroundings ({@link MaskedFill});
 *       A1111 does this for "fill", "latent noise" and "latent nothing" alike (the latter two then change the latents);</li>
 *   <li>after decoding: {@link #composite} pastes the result back through the feathered mask at the init image's size.</li>
 * </ol>
 *
 * @param image         what the VAE encodes: processing size, pre-filled
 * @param mask          the feathered mask at the processing size (1 = repaint)
 * @param region        the worked-on area in "only masked" mode, else null
 * @param original      the init image as given
 * @param overlayMask   the feathered mask at the init image's size, used by {@link #composite}
 */
public record InpaintInput(RgbImage image, Mask mask, CropRegion region, RgbImage original, Mask overlayMask) {

    /**
     * @param width  processing width (a multiple of 8 for SD)
     * @param height processing height
     * @return null if the mask is empty after inverting (nothing to inpaint: A1111 falls back to img2img)
     */
    public static InpaintInput prepare(RgbImage init, Mask mask, int width, int height, int maskBlur, boolean invert,
                                       boolean onlyMasked, int padding, MaskedContent content) {
        if (init.width() != mask.width() || init.height() != mask.height())
            throw new IllegalArgumentException("init image " + init.width() + "x" + init.height() + " and mask "
                    + mask.width() + "x" + mask.height() + " differ in size");
        Mask m = invert ? mask.inverted() : mask;
        Mask feathered = GaussianBlur.feather(m, maskBlur);
        if (CropRegion.around(feathered, 0) == null) return null;
        RgbImage image;
        Mask processingMask;
        CropRegion region = null;
        if (onlyMasked) {
            InpaintRegion cut = InpaintRegion.crop(init, feathered, padding, width, height);
            image = cut.image();
            processingMask = cut.mask();
            region = cut.region();
        } else {
            image = Resampler.resize(init, width, height, Resampler.Filter.LANCZOS);
            processingMask = Resampler.resize(feathered, width, height, Resampler.Filter.LANCZOS);
        }
        if (content != MaskedContent.ORIGINAL) image = MaskedFill.fill(image, processingMask);
        return new InpaintInput(image, processingMask, region, init, feathered);
    }

    /**
     * A1111's latent mask: the processing mask scaled to the latent size (bicubic) and rounded to 0/1; blend the
     * latents as {@code init·(1−m) + denoised·m}.
     */
    public Mask latentMask(int latentWidth, int latentHeight) {
        Mask small = Resampler.resize(mask, latentWidth, latentHeight, Resampler.Filter.BICUBIC);
        float[] v = small.values();
        for (int i = 0; i < v.length; i++) v[i] = Math.round(v[i]) >= 1 ? 1f : 0f;
        return small;
    }

    /**
     * The final image at the init image's size: the generated image (processing size) pasted into the original
     * through the feathered mask; pixels the mask does not touch are the original's, exactly.
     */
    public RgbImage composite(RgbImage generated) {
        if (region != null) return new InpaintRegion(region, image, mask).paste(original, generated, overlayMask);
        RgbImage full = Resampler.resize(generated, original.width(), original.height(), Resampler.Filter.LANCZOS);
        return InpaintRegion.pasteWholePicture(original, full, overlayMask);
    }
}
