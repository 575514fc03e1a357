package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

/**
 * DPM-Solver++(2M) (Lu et al. 2022): a second-order multistep solver in data (x0) prediction, first order on the
 * first and the last step; diffusers' {@code DPMSolverMultistepScheduler} (solver_order 2, dpmsolver++, midpoint,
 * lower_order_final, final sigma 0). Works on unit-variance latents like DDIM; sigmas only parametrise the update.
 */
public final class DpmPlusPlus2MSampler extends VpMultistepSampler {
    private NDArray previousX0; // data prediction of the previous step, kept across step scopes
    private int lowerOrderSteps;

    public DpmPlusPlus2MSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return nameWith(SamplerNames.DPMPP_2M);
    }

    @Override
    protected void reset() {
        forget();
        lowerOrderSteps = 0;
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        int n = timesteps.length;
        boolean lastStep = index == n - 1; // final sigma 0: always first order
        // 1. data prediction x0 at this step
        NDArray x0 = dataPrediction(modelOutput, sample, index);
        // 2. update: first order (DPM-Solver++ 1 = DDIM) or second order with the previous x0
        NDArray prev = lowerOrderSteps < 1 || lastStep || previousX0 == null
                ? firstOrder(x0, index, sample)
                : secondOrder(x0, previousX0, index, sample);
        remember(x0);
        if (lowerOrderSteps < 2) lowerOrderSteps++;
        return new StepResult(prev, x0);
    }

    private NDArray firstOrder(NDArray x0, int index, NDArray sample) {
        double at = alpha(sigmas[index + 1]);
        double st = sigmas[index + 1] * at;
        double as = alpha(sigmas[index]);
        double ss = sigmas[index] * as;
        double h = lambda(at, st) - lambda(as, ss);
        return sample.mul((float) (st / ss)).sub(x0.mul((float) (at * (Math.exp(-h) - 1.0))));
    }

    private NDArray secondOrder(NDArray m0, NDArray m1, int index, NDArray sample) {
        double at = alpha(sigmas[index + 1]);
        double st = sigmas[index + 1] * at;
        double a0 = alpha(sigmas[index]);
        double s0 = sigmas[index] * a0;
        double a1 = alpha(sigmas[index - 1]);
        double s1 = sigmas[index - 1] * a1;
        double h = lambda(at, st) - lambda(a0, s0);
        double r0 = (lambda(a0, s0) - lambda(a1, s1)) / h;
        NDArray d1 = m0.sub(m1).mul((float) (1.0 / r0));
        double c = at * (Math.exp(-h) - 1.0);
        return sample.mul((float) (st / s0)).sub(m0.mul((float) (c))).sub(d1.mul((float) (0.5 * c)));
    }

    private void remember(NDArray x0) {
        forget();
        previousX0 = x0.duplicate();
        NDScope.unregister(previousX0);
    }

    private void forget() {
        if (previousX0 != null) previousX0.close();
        previousX0 = null;
    }
}
