package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/** Euler's method on the probability-flow ODE (Karras et al. 2022, Algorithm 2 without churn), diffusers' {@code EulerDiscreteScheduler}. */
public final class EulerSampler extends SigmaSpaceSampler {

    public EulerSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.EULER : SamplerNames.EULER + " " + sigmaSchedule.name();
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        // diffusers draws churn noise in every step even when s_churn = 0 leaves it unused: draw it to stay in sync
        noise.next(modelOutput.getShape(), modelOutput.getManager()).close();
        float sigma = sigmas[index];
        NDArray predOriginal = predictOriginal(modelOutput, sample, sigma);
        NDArray derivative = sample.sub(predOriginal).div(sigma);
        float dt = sigmas[index + 1] - sigma;
        return new StepResult(sample.add(derivative.mul(dt)), predOriginal);
    }
}
