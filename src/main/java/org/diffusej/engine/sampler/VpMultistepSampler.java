package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;

/**
 * Base of the multistep solvers that work on unit-variance (variance-preserving) latents like DDIM and use sigmas only
 * to parametrise the update (DPM-Solver++, UniPC): diffusers' DPM-Solver spacing (the range cut into n + 1 parts, the
 * last dropped) or a sigma schedule, a final sigma of 0, alpha_t = 1/sqrt(σ²+1), sigma_t = σ·alpha_t and the half
 * log-SNR lambda = log alpha_t − log sigma_t.
 */
abstract class VpMultistepSampler implements Sampler {
    protected final NoiseSchedule schedule;
    protected final SigmaSchedule sigmaSchedule; // null = DPM-Solver spacing, else e.g. Karras
    private final float[] trainSigmas;
    private int inferenceSteps;
    protected float[] timesteps = new float[0];
    protected float[] sigmas = new float[0]; // steps + 1, the last one 0

    VpMultistepSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        this.schedule = schedule;
        this.sigmaSchedule = sigmaSchedule;
        this.trainSigmas = schedule.trainSigmas();
    }

    /** The sampler's A1111 name, with the sigma schedule's after it when one is set. */
    protected String nameWith(String base) {
        return sigmaSchedule == null ? base : base + " " + sigmaSchedule.name();
    }

    @Override
    public void setTimesteps(int steps) {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        inferenceSteps = steps;
        double[] t = new double[steps];
        double[] s = new double[steps];
        if (sigmaSchedule == null) {
            t = defaultTimesteps(steps, schedule.numTrainTimesteps());
            for (int i = 0; i < steps; i++) s[i] = trainSigmas[(int) t[i]];
        } else {
            s = sigmaSchedule.sigmas(trainSigmas[0], trainSigmas[trainSigmas.length - 1], steps);
            for (int i = 0; i < steps; i++) t[i] = Math.rint(SigmaSchedule.timestepFor(s[i], trainSigmas));
        }
        timesteps = new float[steps];
        sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = (float) t[i];
            sigmas[i] = (float) s[i];
        }
        reset();
    }

    /** Clears the multistep history after new timesteps. */
    protected abstract void reset();

    /** DPM-Solver's own spacing: it divides the range into n + 1 parts and drops the last. */
    private double[] defaultTimesteps(int steps, int last) {
        double[] t = new double[steps];
        switch (schedule.spacing()) {
            case LEADING -> {
                int ratio = last / (steps + 1);
                for (int i = 0; i < steps; i++) t[i] = (double) (steps - i) * ratio + schedule.stepsOffset();
            }
            case TRAILING -> {
                double ratio = (double) last / steps;
                for (int i = 0; i < steps; i++) t[i] = Math.rint(last - i * ratio) - 1;
            }
            case LINSPACE -> {
                for (int i = 0; i < steps; i++) t[i] = Math.rint((last - 1) * (double) (steps - i) / steps);
            }
        }
        return t;
    }

    @Override public int inferenceSteps() { return inferenceSteps; }
    @Override public float[] timesteps() { return timesteps.clone(); }

    /** Noise levels, {@code steps + 1} values ending in 0. */
    public float[] sigmas() { return sigmas.clone(); }

    @Override public float initNoiseSigma() { return 1f; }
    @Override public NDArray scaleModelInput(NDArray sample, int index) { return sample; }

    /** The data prediction x0 at step {@code index} from an epsilon or v model output on VP latents. */
    protected NDArray dataPrediction(NDArray modelOutput, NDArray sample, int index) {
        double a = alpha(sigmas[index]);
        double s = sigmas[index] * a;
        return Prediction.original(schedule.predictionType(), modelOutput, sample, (float) a, (float) s);
    }

    /** alpha_t of the variance-preserving latents at noise level sigma: 1 / sqrt(sigma² + 1). */
    protected static double alpha(double sigma) {
        return 1.0 / Math.sqrt(sigma * sigma + 1.0);
    }

    /** Half log-SNR: log(alpha) − log(sigma); +inf at sigma 0. */
    protected static double lambda(double alpha, double sigma) {
        return Math.log(alpha) - Math.log(sigma);
    }

    /** Half log-SNR of step {@code index} (diffusers computes it from alpha_t and sigma_t as here). */
    protected double lambda(int index) {
        double a = alpha(sigmas[index]);
        return lambda(a, sigmas[index] * a);
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        double a = alpha(sigmas[index]);
        return original.mul((float) a).add(noise.mul((float) (sigmas[index] * a)));
    }
}
