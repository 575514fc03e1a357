package org.diffusej.engine.pipeline;

import org.diffusej.engine.image.InpaintInput;
import org.diffusej.engine.image.Resampler;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;

import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;

/**
 * The image side of one request: the processing size (the requested size rounded up to what the networks accept),
 * the init image at that size or the A1111 inpaint input, and how results return to the requested size.
 *
 * @param width           processing width
 * @param height          processing height
 * @param image           img2img: the init image at the processing size; inpaint: the prepared (cropped, filled) image
 * @param inpaint         the inpaint preparation, or null
 * @param unchangedReason non-null when there is nothing to do and the input is returned as is
 */
record Job(int width, int height, RgbImage image, InpaintInput inpaint, String unchangedReason) {

    static Job prepare(Request r, int multiple) {
        int w = RequestCheck.roundUp(r.width(), multiple);
        int h = RequestCheck.roundUp(r.height(), multiple);
        return switch (r.mode()) {
            case TXT2IMG -> new Job(w, h, null, null, null);
            case IMG2IMG -> new Job(w, h, Resampler.resize(r.initImage(), w, h, Resampler.Filter.LANCZOS), null, null);
            case INPAINT -> {
                InpaintInput in = InpaintInput.prepare(r.initImage(), r.mask(), w, h, r.maskBlur(), r.invertMask(),
                        r.onlyMasked(), r.onlyMaskedPadding(), r.maskedContent());
                yield in == null
                        ? new Job(w, h, null, null, "The mask is empty: nothing to inpaint, the image is returned unchanged.")
                        : new Job(w, h, in.image(), in, null);
            }
        };
    }

    /** Denoising steps one batch runs (after strength); 0 means there is nothing to do. */
    int stepsPerBatch(Request r, NoiseSchedule schedule) throws DiffusionException {
        Sampler s = Samplers.create(r.sampler(), r.scheduler(), schedule);
        if (r.mode() == Mode.TXT2IMG) {
            s.setTimesteps(r.steps());
            return s.timesteps().length;
        }
        try {
            int start = s.setTimesteps(r.steps(), r.strength());
            return s.timesteps().length - start;
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage() + ".");
        }
    }

    /** Generated images (processing size) → what the caller gets: pasted back for inpaint, else at the requested size. */
    List<RgbImage> finish(List<RgbImage> generated, Request r) {
        List<RgbImage> out = new ArrayList<>(generated.size());
        for (RgbImage g : generated) {
            if (inpaint != null) out.add(inpaint.composite(g));
            else out.add(Resampler.resize(g, r.width(), r.height(), Resampler.Filter.LANCZOS));
        }
        return out;
    }
}
