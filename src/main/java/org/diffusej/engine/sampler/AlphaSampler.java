package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.PredictionType;

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

    protected PredictionType predictionType() {
        return schedule.predictionType();
    }

    /** x0 from the model output: eps → (x - sqrt(1-ᾱ)·eps)/sqrt(ᾱ); v → sqrt(ᾱ)·x - sqrt(1-ᾱ)·v. */
    protected NDArray predictOriginal(NDArray modelOutput, NDArray sample, float alphaProd) {
        float beta = 1f - alphaProd;
        if (predictionType() == PredictionType.EPSILON)
            return sample.sub(modelOutput.mul(Float32.sqrt(beta))).div(Float32.sqrt(alphaProd));
        return sample.mul(Float32.sqrt(alphaProd)).sub(modelOutput.mul(Float32.sqrt(beta)));
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
