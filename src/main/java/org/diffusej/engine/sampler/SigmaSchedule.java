package org.diffusej.engine.sampler;

/**
 * A way of spacing the noise levels of a sigma-based sampler other than the sampler's own ("Automatic"), such as
 * {@link KarrasSigmas}; AUTOMATIC1111 calls it the scheduler. The sampler then derives its UNet timesteps from the
 * sigmas by interpolating in log-sigma over the training schedule ({@link #timestepFor}).
 */
public interface SigmaSchedule {

    /** The A1111 scheduler name ("Karras"). */
    String name();

    /** {@code steps} descending sigmas from {@code sigmaMax} down to {@code sigmaMin} (no trailing zero). */
    double[] sigmas(double sigmaMin, double sigmaMax, int steps);

    /**
     * The fractional training timestep whose sigma is {@code sigma}: linear interpolation in log sigma between the
     * two neighbouring training timesteps (diffusers' {@code _sigma_to_t}).
     *
     * @param trainSigmas ascending sigma per training timestep ({@link NoiseSchedule#trainSigmas()})
     */
    static double timestepFor(double sigma, float[] trainSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int n = trainSigmas.length;
        int low = -1; // last index whose log sigma is <= logSigma (count of such indices - 1, as cumsum().argmax())
        for (int i = 0; i < n; i++) if (logSigma - (float) Math.log(trainSigmas[i]) >= 0) low = i;
        low = Math.min(Math.max(low, 0), n - 2);
        double lo = (float) Math.log(trainSigmas[low]);
        double hi = (float) Math.log(trainSigmas[low + 1]);
        double w = Math.min(Math.max((lo - logSigma) / (lo - hi), 0), 1);
        return (1 - w) * low + w * (low + 1);
    }
}
