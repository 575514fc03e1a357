package org.diffusej.engine.sampler;

/**
 * How n inference timesteps are picked from the training timesteps (diffusers' {@code timestep_spacing}); results are
 * descending and unrounded where diffusers leaves them fractional.
 */
public enum TimestepSpacing {
    /** {@code 0, r, 2r, ...} with r = T / n (integer), plus the steps offset: SD1/SD2's configuration. */
    LEADING,
    /** {@code T-1, T-1-T/n, ...}: ends near 0 from above. */
    TRAILING,
    /** Evenly from 0 to T-1 including both ends. */
    LINSPACE;

    public static TimestepSpacing fromDiffusers(String name) {
        return switch (name) {
            case "leading" -> LEADING;
            case "trailing" -> TRAILING;
            case "linspace" -> LINSPACE;
            default -> throw new IllegalArgumentException("timestep_spacing '" + name
                    + "' is not supported; choose leading, trailing or linspace");
        };
    }

    /**
     * Descending timesteps for {@code n} steps.
     *
     * @param round true for schedulers that keep integer timesteps (DDIM, PNDM), false for the Euler family
     */
    public double[] timesteps(int n, int numTrain, int stepsOffset, boolean round) {
        double[] t = new double[n];
        switch (this) {
            case LEADING -> {
                int ratio = numTrain / n;
                for (int i = 0; i < n; i++) t[i] = (double) (n - 1 - i) * ratio + stepsOffset;
            }
            case TRAILING -> {
                double ratio = (double) numTrain / n;
                for (int i = 0; i < n; i++) t[i] = Math.rint(numTrain - i * ratio) - 1;
            }
            case LINSPACE -> {
                for (int i = 0; i < n; i++) {
                    double v = n == 1 ? 0 : (numTrain - 1) * (double) (n - 1 - i) / (n - 1);
                    t[i] = round ? Math.rint(v) : v;
                }
            }
        }
        return t;
    }
}
