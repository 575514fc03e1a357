package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

/**
 * AUTOMATIC1111's "only masked" inpainting: the masked area plus padding is cut out (grown to the model's aspect
 * ratio), scaled to the model's resolution for denoising, and the result is scaled back and pasted through the
 * feathered mask, so nothing outside the mask changes.
 *
 * @param region the area of the full image that is worked on
 * @param image  the region's pixels at the processing size (Lanczos)
 * @param mask   the feathered mask of the region at the processing size (use as the latent/inpaint mask)
 */
public record InpaintRegion(CropRegion region, RgbImage image, Mask mask) {

    /**
     * Cuts out the region to work on.
     *
     * @param featheredMask the mask after {@link GaussianBlur#feather} (A1111 takes the bounds of the blurred mask)
     * @return null if the mask is empty (A1111 then falls back to plain img2img)
     */
    public static InpaintRegion crop(RgbImage image, Mask featheredMask, int padding, int width, int height) {
        checkSameSize(image, featheredMask);
        CropRegion r = CropRegion.around(featheredMask, padding);
        if (r == null) return null;
        r = r.expandedToAspect(width, height, image.width(), image.height());
        RgbImage cut = image.crop(r.x1(), r.y1(), r.width(), r.height());
        Mask cutMask = cropMask(featheredMask, r);
        return new InpaintRegion(r, Resampler.resize(cut, width, height, Resampler.Filter.LANCZOS),
                Resampler.resize(cutMask, width, height, Resampler.Filter.LANCZOS));
    }

    /**
     * Scales {@code generated} (processing size) back to the region and blends it into a copy of {@code original}
     * with the feathered mask: {@code out = original·(1−m) + generated·m}.
     */
    public RgbImage paste(RgbImage original, RgbImage generated, Mask featheredMask) {
        checkSameSize(original, featheredMask);
        RgbImage back = Resampler.resize(generated, region.width(), region.height(), Resampler.Filter.LANCZOS);
        RgbImage out = original.copy();
        for (int c = 0; c < 3; c++)
            for (int y = region.y1(); y < region.y2(); y++)
                for (int x = region.x1(); x < region.x2(); x++) {
                    float m = featheredMask.get(x, y);
                    float g = back.get(c, x - region.x1(), y - region.y1());
                    out.set(c, x, y, original.get(c, x, y) * (1 - m) + g * m);
                }
        return out;
    }

    /**
     * "Whole picture" inpainting's paste (A1111 {@code apply_overlay}): the generated image replaces the original
     * where the feathered mask, doubled and clipped to 1, says so; same-size images.
     */
    public static RgbImage pasteWholePicture(RgbImage original, RgbImage generated, Mask featheredMask) {
        checkSameSize(original, featheredMask);
        checkSameSize(generated, featheredMask);
        int n = original.width() * original.height();
        float[] out = new float[3 * n];
        float[] o = original.planes(), g = generated.planes(), m = featheredMask.values();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++) {
                float a = Math.min(1f, 2f * m[i]);
                out[c * n + i] = o[c * n + i] * (1 - a) + g[c * n + i] * a;
            }
        return new RgbImage(original.width(), original.height(), out);
    }

    static Mask cropMask(Mask mask, CropRegion r) {
        float[] v = new float[r.width() * r.height()];
        for (int y = 0; y < r.height(); y++)
            for (int x = 0; x < r.width(); x++) {
                int sx = r.x1() + x, sy = r.y1() + y;
                if (sx >= 0 && sy >= 0 && sx < mask.width() && sy < mask.height()) v[y * r.width() + x] = mask.get(sx, sy);
            }
        return new Mask(r.width(), r.height(), v);
    }

    private static void checkSameSize(RgbImage image, Mask mask) {
        if (image.width() != mask.width() || image.height() != mask.height())
            throw new IllegalArgumentException("image " + image.width() + "x" + image.height() + " and mask "
                    + mask.width() + "x" + mask.height() + " differ in size");
    }
}
