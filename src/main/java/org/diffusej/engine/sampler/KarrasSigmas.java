package org.diffusej.engine.sampler;

import org.diffusej.engine.SamplerNames;

/**
 * The noise levels of Karras et al. 2022 (eq. 5): evenly spaced in sigma^(1/rho), rho = 7, which puts more steps at
 * low noise. A1111's "Karras" scheduler; diffusers' {@code use_karras_sigmas=True}.
 */
public final class KarrasSigmas implements SigmaSchedule {
    private static final double RHO = 7.0;

    @Override public String name() { return SamplerNames.KARRAS; }

    @Override
    public double[] sigmas(double sigmaMin, double sigmaMax, int steps) {
        double minInv = Math.pow(sigmaMin, 1 / RHO);
        double maxInv = Math.pow(sigmaMax, 1 / RHO);
        double[] s = new double[steps];
        double delta = steps == 1 ? 0 : 1.0 / (steps - 1); // np.linspace(0, 1, steps): i * delta, last exactly 1
        for (int i = 0; i < steps; i++) {
            double ramp = i == steps - 1 && steps > 1 ? 1.0 : i * delta;
            s[i] = Math.pow(maxInv + ramp * (minInv - maxInv), RHO);
        }
        return s;
    }

    @Override public String toString() { return name(); }
}
