package org.diffusej.engine.pipeline;

import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mask;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.sampler.TimestepSpacing;

/** The checks a {@link Request} must pass before the pipeline allocates anything; failures name what to change. */
final class RequestCheck {
    private RequestCheck() { }

    /**
     * @param maxPixels largest width × height × batch size at the processing size
     * @param multiple  processing sizes are rounded up to a multiple of this
     */
    static void validate(Request r, long maxPixels, int multiple) throws InvalidRequestException {
        if (r.steps() < 1) throw new InvalidRequestException("Steps must be at least 1 (got " + r.steps() + ").");
        if (r.batchSize() < 1 || r.batchCount() < 1)
            throw new InvalidRequestException("Batch size and batch count must be at least 1 (got " + r.batchSize()
                    + " and " + r.batchCount() + ").");
        if (r.width() < 1 || r.height() < 1)
            throw new InvalidRequestException("Width and height must be positive (got " + r.width() + "×" + r.height() + ").");
        if (!(r.cfgScale() >= 0)) throw new InvalidRequestException("CFG scale must be 0 or more (got " + r.cfgScale() + ").");
        if (!(r.variationStrength() >= 0 && r.variationStrength() <= 1))
            throw new InvalidRequestException("Variation seed strength must be between 0 and 1 (got "
                    + r.variationStrength() + ").");
        if (!(r.promptMix() >= 0 && r.promptMix() <= 1))
            throw new InvalidRequestException("Prompt mix must be between 0 and 1 (got " + r.promptMix() + ").");
        if (r.timestepSpacing() != null) {
            try {
                TimestepSpacing.fromDiffusers(r.timestepSpacing());
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("Schedule spacing: " + e.getMessage() + ".");
            }
        }
        if (r.mode() != Mode.TXT2IMG) {
            if (r.initImage() == null)
                throw new InvalidRequestException(r.mode() == Mode.INPAINT ? "Inpainting needs an image." : "img2img needs an image.");
            if (!(r.strength() >= 0 && r.strength() <= 1))
                throw new InvalidRequestException("Denoising strength must be between 0 and 1 (got " + r.strength() + ").");
        }
        if (r.mode() == Mode.INPAINT) {
            Mask m = r.mask();
            if (m == null) throw new InvalidRequestException("Inpainting needs a mask.");
            RgbImage i = r.initImage();
            if (m.width() != i.width() || m.height() != i.height())
                throw new InvalidRequestException("The mask is " + m.width() + "×" + m.height() + " but the image is "
                        + i.width() + "×" + i.height() + ": they must have the same size.");
        }
        long w = roundUp(r.width(), multiple);
        long h = roundUp(r.height(), multiple);
        if (w * h * r.batchSize() > maxPixels)
            throw new InvalidRequestException("The size " + r.width() + "×" + r.height()
                    + (r.batchSize() > 1 ? " with batch size " + r.batchSize() : "") + " is too large: this engine generates at most "
                    + maxPixels + " pixels per batch (for example " + side(maxPixels) + "×" + side(maxPixels)
                    + "). Choose a smaller size or batch size.");
    }

    /** {@code size} rounded up to a multiple of {@code multiple}. */
    static int roundUp(int size, int multiple) {
        return (size + multiple - 1) / multiple * multiple;
    }

    private static long side(long pixels) {
        return (long) Math.floor(Math.sqrt((double) pixels));
    }
}
