package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * DPM2 ancestral ("DPM2 a"): the DPM2 step taken down to sigma_down (through the geometric midpoint of sigma_k and
 * sigma_down), then fresh noise of sigma_up, as Euler a does; k-diffusion's {@code sample_dpm_2_ancestral} at eta 1,
 * diffusers' closest is {@code KDPM2AncestralDiscreteScheduler}. One noise draw per step.
 */
public final class Dpm2AncestralSampler extends TwoStageSampler {

    public Dpm2AncestralSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.DPM2_A : SamplerNames.DPM2_A + " " + sigmaSchedule.name();
    }

    private AncestralStep ancestral(int k) {
        return AncestralStep.of(stepSigmas[k], stepSigmas[k + 1]);
    }

    @Override
    protected float secondSigma(int k) {
        return AncestralStep.geometricMean(stepSigmas[k], ancestral(k).down());
    }

    @Override
    protected NDArray firstStage(int k, NDArray x, NDArray x0, NoiseSource noise) {
        return x.add(derivative(x, x0, stepSigmas[k]).mul(secondSigma(k) - stepSigmas[k]));
    }

    @Override
    protected NDArray secondStage(int k, NDArray x, NDArray x0, NDArray x2, NDArray x02, NoiseSource noise) {
        AncestralStep a = ancestral(k);
        NDArray down = x.add(derivative(x2, x02, secondSigma(k)).mul(a.down() - stepSigmas[k]));
        return down.add(noise.next(x.getShape(), x.getManager()).mul(a.up()));
    }
}
