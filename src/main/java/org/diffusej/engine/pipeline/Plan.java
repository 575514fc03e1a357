package org.diffusej.engine.pipeline;

import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;

/**
 * What one request runs, decided once before anything is allocated: the request checked, its output size, and the
 * sampler of each pass (built once, timesteps set) with the step it starts at. Batches reuse the samplers:
 * {@link #firstPass()} and {@link #hiresPass()} clear their history ({@link Sampler#setTimesteps}) before each use.
 *
 * @param output     the request at the size of its output: the hires size when the hires fix runs, else the request
 * @param first      the first pass's sampler (use {@link #firstPass()})
 * @param firstStart index of the first step the first pass runs (strength; 0 for txt2img)
 * @param hires      the hires pass's sampler, or null without the hires fix (use {@link #hiresPass()})
 * @param hiresStart index of the first step the hires pass runs (its strength)
 * @param strength   the first pass's denoising strength (img2img, inpaint), NaN for txt2img: a reset repeats it,
 *                   since some samplers pick their timesteps from it ({@link Sampler#setTimesteps(int, double)})
 */
record Plan(Request output, Sampler first, int firstStart, Sampler hires, int hiresStart, double strength) {

    /**
     * Checks {@code r} ({@link RequestCheck}, {@link HiresPass#check}, the sampler and scheduler names) and plans it.
     *
     * @param schedule the model's noise schedule: both passes use it with the request's timestep spacing
     */
    static Plan of(Request r, NoiseSchedule schedule, long maxPixels, int multiple)
            throws DiffusionException {
        RequestCheck.validate(r, maxPixels, multiple);
        HiresPass.check(r, maxPixels);
        NoiseSchedule spaced = schedule.withSpacing(r.timestepSpacing());
        Sampler first = Samplers.create(r.sampler(), r.scheduler(), spaced);
        double strength = r.mode() == Mode.TXT2IMG ? Double.NaN : r.strength();
        int start = setTimesteps(first, r.steps(), strength);
        boolean hiresRuns = r.hires() != null && r.mode() == Mode.TXT2IMG;
        Sampler second = hiresRuns ? HiresPass.sampler(r, spaced) : null;
        int secondStart = hiresRuns ? second.startIndex(r.hires().strength()) : 0;
        Request output = hiresRuns ? r.toBuilder().size(HiresPass.width(r), HiresPass.height(r)).build() : r;
        return new Plan(output, first, start, second, secondStart, strength);
    }

    /** Timesteps for {@code steps} (at {@code strength} unless NaN); the index of the first step run. */
    private static int setTimesteps(Sampler s, int steps, double strength) throws InvalidRequestException {
        if (Double.isNaN(strength)) {
            s.setTimesteps(steps);
            return 0;
        }
        try {
            return s.setTimesteps(steps, strength);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage() + ".");
        }
    }

    /** UNet steps of the first pass per batch (after strength); 0 means there is nothing to do. */
    int firstPassSteps() {
        return first.timesteps().length - firstStart;
    }

    /** UNet steps of the hires pass per batch, 0 without it. */
    int hiresSteps() {
        return hires == null ? 0 : hires.timesteps().length - hiresStart;
    }

    /** The first pass's sampler, history cleared for a new batch. */
    Sampler firstPass() throws InvalidRequestException {
        setTimesteps(first, first.inferenceSteps(), strength);
        return first;
    }

    /** Whether the hires fix runs (txt2img with {@link Request#hires()}). */
    boolean hasHires() {
        return hires != null;
    }

    /** The hires pass's sampler, history cleared for a new batch, or null without the hires fix. */
    Sampler hiresPass() {
        if (hires != null) hires.setTimesteps(hires.inferenceSteps());
        return hires;
    }
}
