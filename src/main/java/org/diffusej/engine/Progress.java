package org.diffusej.engine;

/**
 * One progress event.
 *
 * @param phase    what is happening ("load", "encode", "denoise", "decode")
 * @param step     steps finished so far in this job (all images of the batch together)
 * @param total    steps this job will run
 * @param elapsedSeconds since the job started
 * @param etaSeconds estimated seconds left, or -1 when unknown
 * @param preview  a cheap preview of the current latents (may be null)
 */
public record Progress(String phase, int step, int total, double elapsedSeconds, double etaSeconds, RgbImage preview) {
    public double fraction() {
        return total <= 0 ? 0 : Math.min(1.0, (double) step / total);
    }
}
