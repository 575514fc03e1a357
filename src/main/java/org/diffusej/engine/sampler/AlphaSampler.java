package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;

/**
 * Base of the samplers that work on ᾱ_t directly (DDIM, PLMS, LCM): unit-variance latents, no input scaling,
 * integer timesteps.
 */
abstract class AlphaSampler implements Sampler {
    protected final NoiseSchedule schedule;
    protected final float[] alphasCumprod;
    protected int inferenceSteps;
    protected float[] timesteps = new float[0];

    AlphaSampler(NoiseSchedule schedule) {
        this.schedule = schedule;
        this.alphasCumprod = schedule.alphasCumprod();
    }

    @Override public int inferenceSteps() { return inferenceSteps; }
    @Override public float[] timesteps() { return timesteps.clone(); }
    @Override public float initNoiseSigma() { return 1f; }
    @Override public NDArray scaleModelInput(NDArray sample, int index) { return sample; }

    /** ᾱ at training timestep {@code t}, or the final value for t < 0. */
    protected float alphaAt(int t) {
        return t >= 0 ? alphasCumprod[t] : (float) schedule.finalAlphaCumprod();
    }

    /** x0 from the model output at ᾱ = {@code alphaProd} ({@link Prediction#original}). */
    protected NDArray predictOriginal(NDArray modelOutput, NDArray sample, float alphaProd) {
        return Prediction.original(schedule.predictionType(), modelOutput, sample, Float32.sqrt(alphaProd),
                Float32.sqrt(1f - alphaProd));
    }

    /** ε from the model output at ᾱ = {@code alphaProd} ({@link Prediction#noise}). */
    protected NDArray predictNoise(NDArray modelOutput, NDArray sample, float alphaProd) {
        return Prediction.noise(schedule.predictionType(), modelOutput, sample, Float32.sqrt(alphaProd),
                Float32.sqrt(1f - alphaProd));
    }

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        float a = alphasCumprod[(int) timesteps[index]];
        return original.mul(Float32.sqrt(a)).add(noise.mul(Float32.sqrt(1f - a)));
    }

    protected void requirePositive(int steps) {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
}
