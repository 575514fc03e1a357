package org.diffusej.engine.sampler;

import org.diffusej.engine.SamplerNames;

/** Noise levels evenly spaced in log sigma: A1111's "Exponential" scheduler, k-diffusion's {@code get_sigmas_exponential}. */
public final class ExponentialSigmas implements SigmaSchedule {

    @Override public String name() { return SamplerNames.EXPONENTIAL; }

    @Override
    public double[] sigmas(double sigmaMin, double sigmaMax, int steps) {
        double hi = Math.log(sigmaMax), lo = Math.log(sigmaMin);
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) s[i] = Math.exp(steps == 1 ? hi : hi + (lo - hi) * i / (steps - 1));
        return s;
    }

    @Override public String toString() { return name(); }
}
