package org.diffusej.engine.sampler;

/**
 * Scalar arithmetic in float32 as torch does it on 0-d float tensors: the samplers compute their coefficients this
 * way (not in double) so that long runs stay within a few ulps of diffusers.
 */
final class Float32 {
    private Float32() { }

    static float sqrt(float x) { return (float) Math.sqrt(x); }

    static float log(float x) { return (float) Math.log(x); }

    static float exp(float x) { return (float) Math.exp(x); }
}
