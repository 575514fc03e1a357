package org.diffusej.engine.sampler;

import org.diffusej.engine.SamplerNames;

/**
 * A1111's "SGM Uniform" scheduler (as Stability's sgm code samples SDXL-Turbo): training timesteps evenly spaced from
 * that of sigmaMax to that of sigmaMin in steps + 1 points, the last dropped, each mapped back to its sigma by
 * interpolating log sigma between neighbouring training timesteps (k-diffusion's {@code t_to_sigma}).
 */
public final class SgmUniformSigmas implements SigmaSchedule {
    private final float[] trainSigmas;

    /** @param trainSigmas ascending sigma per training timestep ({@link NoiseSchedule#trainSigmas()}) */
    public SgmUniformSigmas(float[] trainSigmas) {
        this.trainSigmas = trainSigmas.clone();
    }

    @Override public String name() { return SamplerNames.SGM_UNIFORM; }

    @Override
    public double[] sigmas(double sigmaMin, double sigmaMax, int steps) {
        double start = SigmaSchedule.timestepFor(sigmaMax, trainSigmas);
        double end = SigmaSchedule.timestepFor(sigmaMin, trainSigmas);
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) s[i] = sigmaAt(start + (end - start) * i / steps);
        return s;
    }

    /** k-diffusion's {@code t_to_sigma}: log-linear interpolation between the training sigmas around {@code t}. */
    double sigmaAt(double t) {
        int low = (int) Math.floor(t), high = Math.min((int) Math.ceil(t), trainSigmas.length - 1);
        double w = t - low;
        return Math.exp((1 - w) * Math.log(trainSigmas[low]) + w * Math.log(trainSigmas[high]));
    }

    @Override public String toString() { return name(); }
}
