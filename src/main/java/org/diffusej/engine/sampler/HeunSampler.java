package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * Heun's second-order method on the probability-flow ODE (Karras et al. 2022, Algorithm 1 without churn): an Euler
 * step to sigma_{k+1}, a second model call there, and the step redone with the mean of both slopes; the last step
 * (to sigma 0) is Euler. k-diffusion's {@code sample_heun}, diffusers' {@code HeunDiscreteScheduler}.
 */
public final class HeunSampler extends TwoStageSampler {

    public HeunSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.HEUN : SamplerNames.HEUN + " " + sigmaSchedule.name();
    }

    @Override
    protected float secondSigma(int k) {
        return stepSigmas[k + 1];
    }

    @Override
    protected NDArray firstStage(int k, NDArray x, NDArray x0, NoiseSource noise) {
        return x.add(derivative(x, x0, stepSigmas[k]).mul(stepSigmas[k + 1] - stepSigmas[k]));
    }

    @Override
    protected NDArray secondStage(int k, NDArray x, NDArray x0, NDArray x2, NDArray x02, NoiseSource noise) {
        NDArray slope = derivative(x, x0, stepSigmas[k]).add(derivative(x2, x02, stepSigmas[k + 1])).div(2f);
        return x.add(slope.mul(stepSigmas[k + 1] - stepSigmas[k]));
    }
}
