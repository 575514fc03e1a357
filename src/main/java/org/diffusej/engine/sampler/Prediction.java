package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.PredictionType;

/**
 * The one place where the UNet's output (ε or v, per {@link PredictionType}) becomes the denoised sample x0 or the
 * noise ε, like stable-diffusion.cpp's denoiser scalings: samplers call these and never branch on the prediction
 * type. With x_t = sqrt(ᾱ)·x0 + sqrt(1-ᾱ)·ε and v = sqrt(ᾱ)·ε - sqrt(1-ᾱ)·x0 (Salimans &amp; Ho 2022).
 */
final class Prediction {
    private Prediction() {
    }

    /**
     * x0 on the unit-variance latent x_t: ε → (x - sqrt(1-ᾱ)·ε)/sqrt(ᾱ); v → sqrt(ᾱ)·x - sqrt(1-ᾱ)·v.
     *
     * @param sqrtAlpha    sqrt(ᾱ_t)
     * @param sqrtBeta     sqrt(1 - ᾱ_t)
     */
    static NDArray original(PredictionType type, NDArray modelOutput, NDArray sample, float sqrtAlpha,
                            float sqrtBeta) {
        return switch (type) {
            case EPSILON -> sample.sub(modelOutput.mul(sqrtBeta)).div(sqrtAlpha);
            case V_PREDICTION -> sample.mul(sqrtAlpha).sub(modelOutput.mul(sqrtBeta));
        };
    }

    /** ε on the unit-variance latent x_t: ε as is; v → sqrt(ᾱ)·v + sqrt(1-ᾱ)·x. */
    static NDArray noise(PredictionType type, NDArray modelOutput, NDArray sample, float sqrtAlpha, float sqrtBeta) {
        return switch (type) {
            case EPSILON -> modelOutput;
            case V_PREDICTION -> modelOutput.mul(sqrtAlpha).add(sample.mul(sqrtBeta));
        };
    }

    /**
     * x0 on k-diffusion's latent x = x0 + σ·ε (the sampler scales the UNet input by 1/sqrt(σ²+1)):
     * ε → x - σ·ε; v → -σ/sqrt(σ²+1)·v + x/(σ²+1).
     */
    static NDArray originalAtSigma(PredictionType type, NDArray modelOutput, NDArray sample, float sigma) {
        return switch (type) {
            case EPSILON -> sample.sub(modelOutput.mul(sigma));
            case V_PREDICTION -> {
                float s2 = sigma * sigma + 1f;
                yield modelOutput.mul(-sigma / Float32.sqrt(s2)).add(sample.div(s2));
            }
        };
    }
}
