package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * DPM-Solver++(2M) SDE ("DPM++ 2M SDE", Lu et al. 2022, eta 1, midpoint): the stochastic multistep update with the
 * previous step's x0 as second-order correction and fresh noise each step; first order on the first step, x0 on the
 * last (sigma 0). k-diffusion's {@code sample_dpmpp_2m_sde}; diffusers' {@code DPMSolverMultistepScheduler} with
 * {@code algorithm_type="sde-dpmsolver++"}. In sigma space, with h = log(sigma_k / sigma_{k+1}):
 * x' = e^{-2h}·x + (1 − e^{-2h})·x0 + ½(1 − e^{-2h})·(h/h_prev)·(x0 − x0_prev) + sigma_{k+1}·sqrt(1 − e^{-2h})·z, with z
 * the Brownian increment over [sigma_{k+1}, sigma_k] ({@link NoiseSource#brownian}, A1111's Brownian tree).
 */
public final class DpmPlusPlus2MSdeSampler extends SigmaSpaceSampler {
    private final HeldArray previousX0 = new HeldArray();
    private double previousH;

    public DpmPlusPlus2MSdeSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.DPMPP_2M_SDE : SamplerNames.DPMPP_2M_SDE + " " + sigmaSchedule.name();
    }

    @Override
    protected void reset() {
        previousX0.clear();
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        float sigma = sigmas[index];
        float sigmaNext = sigmas[index + 1];
        NDArray x0 = predictOriginal(modelOutput, sample, sigma);
        if (sigmaNext <= 0) {
            previousX0.clear();
            return new StepResult(x0.duplicate(), x0);
        }
        double h = Math.log(sigma) - Math.log(sigmaNext);
        double keep = Math.exp(-2 * h);        // (sigma'/sigma)·e^{-h}
        double toX0 = -Math.expm1(-2 * h);     // 1 − e^{-2h}
        NDArray next = sample.mul((float) keep).add(x0.mul((float) toX0));
        if (previousX0.get() != null) {
            double r = previousH / h;
            next = next.add(x0.sub(previousX0.get()).mul((float) (0.5 * toX0 / r)));
        }
        next = next.add(brownianNoise(noise, sample, sigma, sigmaNext).mul((float) (sigmaNext * Math.sqrt(toX0))));
        previousX0.set(x0);
        previousH = h;
        return new StepResult(next, x0);
    }
}
