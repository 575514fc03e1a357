package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;

/**
 * Base of the k-diffusion style samplers (Euler, Euler a) that work in sigma space: x = x0 + sigma·eps, latents
 * start at the largest sigma and the UNet input is divided by sqrt(sigma² + 1).
 */
abstract class SigmaSpaceSampler implements Sampler {
    protected final NoiseSchedule schedule;
    protected final SigmaSchedule sigmaSchedule; // null = the sampler's own (interpolated at the spaced timesteps)
    protected final float[] trainSigmas;
    private int inferenceSteps;
    protected float[] timesteps = new float[0]; // one per UNet call (two-stage samplers replace them in reset)
    protected float[] sigmas = new float[0]; // steps + 1, the last one 0

    SigmaSpaceSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        this.schedule = schedule;
        this.sigmaSchedule = sigmaSchedule;
        this.trainSigmas = schedule.trainSigmas();
    }

    @Override
    public void setTimesteps(int steps) {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        inferenceSteps = steps;
        double[] t = schedule.spacing().timesteps(steps, schedule.numTrainTimesteps(), schedule.stepsOffset(), false);
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) s[i] = interpolate(t[i]);
        if (sigmaSchedule != null) {
            s = sigmaSchedule.sigmas((float) s[steps - 1], (float) s[0], steps);
            for (int i = 0; i < steps; i++) t[i] = SigmaSchedule.timestepFor(s[i], trainSigmas);
        }
        timesteps = new float[steps];
        sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = (float) t[i];
            sigmas[i] = (float) s[i];
        }
        reset();
    }

    /** Clears per-run state after new timesteps (and may replace {@code timesteps}/{@code sigmas} by its UNet calls). */
    protected void reset() { }

    /** np.interp over the training sigmas. */
    private double interpolate(double t) {
        int lo = (int) Math.floor(t);
        if (lo >= trainSigmas.length - 1) return trainSigmas[trainSigmas.length - 1];
        if (lo < 0) return trainSigmas[0];
        double f = t - lo;
        return f == 0 ? trainSigmas[lo] : trainSigmas[lo] + f * (trainSigmas[lo + 1] - trainSigmas[lo]);
    }

    @Override public int inferenceSteps() { return inferenceSteps; }
    @Override public float[] timesteps() { return timesteps.clone(); }

    /** The noise levels, {@code steps + 1} values ending in 0. */
    public float[] sigmas() { return sigmas.clone(); }

    @Override
    public float initNoiseSigma() {
        float max = 0;
        for (float s : sigmas) max = Math.max(max, s);
        if (schedule.spacing() != TimestepSpacing.LEADING) return max;
        return (float) Math.sqrt((double) max * max + 1);
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int index) {
        float s = sigmas[index];
        return sample.div(Float32.sqrt(s * s + 1f));
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        return original.add(noise.mul(sigmas[index]));
    }

    /**
     * Noise for the stochastic part of a step from {@code from} to {@code to}: the source's Brownian increment over
     * the run's nonzero sigma range (A1111's {@code BrownianTreeNoiseSampler} for the SDE samplers).
     */
    protected NDArray brownianNoise(NoiseSource noise, NDArray like, float from, float to) {
        float min = Float.MAX_VALUE, max = 0;
        for (float s : sigmas) {
            if (s > 0) min = Math.min(min, s);
            max = Math.max(max, s);
        }
        return noise.brownian(from, to, min, max, like.getShape(), like.getManager());
    }

    /** The ODE derivative (x - x0) / sigma of k-diffusion's {@code to_d}. */
    protected static NDArray derivative(NDArray sample, NDArray predOriginal, float sigma) {
        return sample.sub(predOriginal).div(sigma);
    }

    /** x0 from the model output at noise level {@code sigma} ({@link Prediction#originalAtSigma}). */
    protected NDArray predictOriginal(NDArray modelOutput, NDArray sample, float sigma) {
        return Prediction.originalAtSigma(schedule.predictionType(), modelOutput, sample, sigma);
    }
}
