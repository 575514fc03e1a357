package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;

/**
 * One denoising method (DDIM, PLMS, Euler, ...), like a diffusers scheduler: after {@link #setTimesteps(int)} the
 * caller runs the UNet once per entry of {@link #timesteps()} and passes its output to {@link #step}. Steps are
 * addressed by their index into {@link #timesteps()}, so img2img simply starts at {@link #startIndex(double)}.
 * Instances hold per-run state (multistep history): one run at a time, and {@code setTimesteps} resets it.
 */
public interface Sampler {

    /** The result of one step: the latents for the next step and the model's estimate of the clean latents. */
    record StepResult(NDArray prevSample, NDArray predOriginal) { }

    /** The AUTOMATIC1111 display name ("Euler a", "DPM++ 2M Karras", ...). */
    String name();

    /** Prepares a run of {@code steps} inference steps and clears any history. */
    void setTimesteps(int steps);

    /** The steps requested in {@link #setTimesteps(int)}. */
    int inferenceSteps();

    /** UNet timesteps in calling order (PLMS calls the UNet once more than the steps asked). */
    float[] timesteps();

    /** Factor on unit noise for the initial latents of txt2img. */
    float initNoiseSigma();

    /** The UNet input for {@code sample} at step {@code index} (sigma-based samplers divide by sqrt(sigma²+1)). */
    NDArray scaleModelInput(NDArray sample, int index);

    /**
     * Advances one step. {@code noise} is asked for exactly the draws diffusers' scheduler makes in its {@code step}
     * (Euler, Euler a: one per step; LCM: one per step but the last), so seeded runs match diffusers.
     */
    StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise);

    /** {@code original} noised to the level of step {@code index} (img2img start, inpaint blending). */
    NDArray addNoise(NDArray original, NDArray noise, int index);

    /**
     * img2img: index of the first step run for a denoising {@code strength} in [0, 1], as diffusers' {@code get_timesteps}
     * computes it ({@code t_start = n - min(int(n * strength), n)}); equal to {@code timesteps().length} when nothing
     * is to be done.
     */
    default int startIndex(double strength) {
        int n = inferenceSteps();
        int init = Math.min((int) (n * strength), n);
        return Math.max(n - init, 0);
    }

    /**
     * img2img and inpaint: sets the timesteps of {@code steps} at denoising {@code strength} and returns the index of
     * the first step run ({@link #setTimesteps}, then {@link #startIndex}; {@link LcmSampler} picks its timesteps
     * below the strength's noise level instead and runs them all). Bad combinations throw IllegalArgumentException.
     */
    default int setTimesteps(int steps, double strength) {
        setTimesteps(steps);
        return startIndex(strength);
    }
}
