package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * Euler ancestral ("Euler a"): an Euler step down to sigma_down, then fresh noise of sigma_up, so each step forgets
 * part of the past; diffusers' {@code EulerAncestralDiscreteScheduler}.
 */
public final class EulerAncestralSampler extends SigmaSpaceSampler {

    public EulerAncestralSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.EULER_A : SamplerNames.EULER_A + " " + sigmaSchedule.name();
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        float sigma = sigmas[index];
        float sigmaTo = sigmas[index + 1];
        NDArray predOriginal = predictOriginal(modelOutput, sample, sigma);
        float sigmaUp = Float32.sqrt(sigmaTo * sigmaTo * (sigma * sigma - sigmaTo * sigmaTo) / (sigma * sigma));
        float sigmaDown = Float32.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
        NDArray derivative = sample.sub(predOriginal).div(sigma);
        NDArray prev = sample.add(derivative.mul(sigmaDown - sigma));
        NDArray fresh = noise.next(modelOutput.getShape(), modelOutput.getManager());
        return new StepResult(prev.add(fresh.mul(sigmaUp)), predOriginal);
    }
}
