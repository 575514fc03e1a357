package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * DPM2 (Karras et al. 2022, the second-order midpoint variant of their Algorithm 1): an Euler half step to the
 * geometric midpoint of sigma_k and sigma_{k+1}, a second model call there, and the whole step taken with that
 * slope; the last step (to sigma 0) is Euler. k-diffusion's {@code sample_dpm_2} (A1111 "DPM2"); diffusers' closest
 * is {@code KDPM2DiscreteScheduler}.
 */
public final class Dpm2Sampler extends TwoStageSampler {

    public Dpm2Sampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.DPM2 : SamplerNames.DPM2 + " " + sigmaSchedule.name();
    }

    @Override
    protected float secondSigma(int k) {
        return AncestralStep.geometricMean(stepSigmas[k], stepSigmas[k + 1]);
    }

    @Override
    protected NDArray firstStage(int k, NDArray x, NDArray x0, NoiseSource noise) {
        return x.add(derivative(x, x0, stepSigmas[k]).mul(secondSigma(k) - stepSigmas[k]));
    }

    @Override
    protected NDArray secondStage(int k, NDArray x, NDArray x0, NDArray x2, NDArray x02, NoiseSource noise) {
        return x.add(derivative(x2, x02, secondSigma(k)).mul(stepSigmas[k + 1] - stepSigmas[k]));
    }
}
