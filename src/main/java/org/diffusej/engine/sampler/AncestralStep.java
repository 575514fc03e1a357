package org.diffusej.engine.sampler;

/**
 * k-diffusion's {@code get_ancestral_step} at eta 1: going from sigma {@code from} to {@code to}, a deterministic step
 * down to {@code down} followed by fresh noise of {@code up}, with down² + up² = to².
 */
record AncestralStep(float down, float up) {

    static AncestralStep of(float from, float to) {
        float up = Math.min(to, Float32.sqrt(to * to * (from * from - to * to) / (from * from)));
        return new AncestralStep(Float32.sqrt(to * to - up * up), up);
    }

    /** exp of the mean of the logs: the geometric midpoint k-diffusion's DPM2 and DPM++ SDE evaluate at. */
    static float geometricMean(float a, float b) {
        return Float32.exp(0.5f * (Float32.log(a) + Float32.log(b)));
    }
}
