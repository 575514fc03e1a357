package org.diffusej.engine.sampler;

import org.diffusej.engine.PredictionType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Exponential and SGM Uniform schedules against their published formulas (k-diffusion's
 * {@code get_sigmas_exponential}, A1111's {@code sgm_uniform}), for step counts where the formula is exact in
 * closed form. With linspace timestep spacing the sigma range is [σ(t=0), σ(t=999)] for every step count; tolerance
 * 1e-5 relative (float32 sigmas).
 */
class SigmaScheduleFormulaTest {
    static final NoiseSchedule LINSPACE =
            new NoiseSchedule(1000, 0.00085, 0.012, "scaled_linear", 0, "linspace", PredictionType.EPSILON, false);

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 20, 33})
    void exponentialIsGeometric(int n) throws Exception {
        SigmaSpaceSampler s = (SigmaSpaceSampler) Samplers.create("Euler", "exponential", LINSPACE);
        s.setTimesteps(n);
        float[] sig = s.sigmas();
        float[] train = LINSPACE.trainSigmas();
        double max = train[999], min = train[0];
        for (int i = 0; i < n; i++) {
            double expected = max * Math.pow(min / max, (double) i / (n - 1));
            assertEquals(expected, sig[i], 1e-5 * expected, "sigma " + i);
        }
        assertEquals(0f, sig[n], 0f);
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 27, 37})
    void sgmUniformSamplesTrainingTimestepsEvenly(int n) throws Exception {
        // 999 / n is an integer for these n, so the timesteps 999·(1 − i/n) hit training timesteps exactly
        SigmaSpaceSampler s = (SigmaSpaceSampler) Samplers.create("Euler", "SGM Uniform", LINSPACE);
        s.setTimesteps(n);
        float[] sig = s.sigmas(), t = s.timesteps(), train = LINSPACE.trainSigmas();
        for (int i = 0; i < n; i++) {
            int ti = 999 - i * (999 / n);
            assertEquals(train[ti], sig[i], 1e-5 * train[ti], "sigma " + i);
            assertEquals(ti, t[i], 1e-3, "timestep " + i);
        }
    }
}
