package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * DPM-Solver++ SDE ("DPM++ SDE", Lu et al. 2022, second order, r = 1/2, eta 1): a first-order DPM-Solver++ ancestral
 * step to the geometric midpoint of sigma_k and sigma_{k+1} with noise, a second model call there, and the whole step
 * taken ancestrally with the midpoint's x0; the last step (to sigma 0) is Euler. k-diffusion's
 * {@code sample_dpmpp_sde}; diffusers' {@code DPMSolverSDEScheduler}. The two noises of a step are increments of one
 * Brownian motion over sigma (sigma_k → midpoint, then sigma_k → sigma_{k+1}, so they are correlated as in
 * k-diffusion), from {@link NoiseSource#brownian}: a tree seeded by the image's seed, as A1111 seeds its own.
 */
public final class DpmPlusPlusSdeSampler extends TwoStageSampler {

    public DpmPlusPlusSdeSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.DPMPP_SDE : SamplerNames.DPMPP_SDE + " " + sigmaSchedule.name();
    }

    @Override
    protected float secondSigma(int k) {
        return AncestralStep.geometricMean(stepSigmas[k], stepSigmas[k + 1]);
    }

    @Override
    protected NDArray firstStage(int k, NDArray x, NDArray x0, NoiseSource noise) {
        return ancestral(x, x0, stepSigmas[k], secondSigma(k), noise);
    }

    @Override
    protected NDArray secondStage(int k, NDArray x, NDArray x0, NDArray x2, NDArray x02, NoiseSource noise) {
        return ancestral(x, x02, stepSigmas[k], stepSigmas[k + 1], noise);
    }

    /** DPM-Solver++(1) from {@code from} down to sigma_down with {@code x0}, then noise of sigma_up. */
    private NDArray ancestral(NDArray x, NDArray x0, float from, float to, NoiseSource noise) {
        AncestralStep a = AncestralStep.of(from, to);
        float ratio = a.down() / from; // sigma_fn(t_next_) / sigma_fn(t) = exp(-(t - t_next_)) with t = -log sigma
        NDArray det = x.mul(ratio).add(x0.mul(1f - ratio));
        return det.add(brownianNoise(noise, x, from, to).mul(a.up()));
    }
}
