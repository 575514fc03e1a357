package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.PredictionType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The samplers added without diffusers reference tensors (Heun, LMS, DPM2, DPM2 a, DPM++ SDE, DPM++ 2M SDE), checked
 * against closed forms instead. The "model" is the exact denoiser of Gaussian data N(mu, c²) in k-diffusion's sigma
 * space, D(x, σ) = (c²·x + σ²·mu) / (c² + σ²), given to the samplers as epsilon = (x − D) / σ. Then the
 * probability-flow ODE has the exact solution x(σ) = mu + (x_T − mu)·sqrt(c² + σ²) / sqrt(c² + σ_T²), and the
 * reverse SDE ends in N(mu, c²). Runs use linspace timestep spacing with the Exponential schedule, so the sigmas are
 * log-uniform between fixed ends (training t = 999 and t = 0) for every step count, and the error is measured at the
 * last nonzero sigma (the final step to 0 is Euler by design in all of them).
 *
 * <p>UniPC (and DPM++ 2M as its control) works on unit-variance latents x/sqrt(σ²+1); {@link #vpOdeError} runs it
 * there with the same denoiser. No diffusers reference tensors exist for UniPC in the fixtures, so it is checked by
 * these closed forms: its measured order (UniP-2 + UniC: third order, one more than DPM++ 2M), its first step equal to
 * DPM-Solver++(1), and the corrector's coefficients reproducing the published B(h) = e^h − 1 case.
 */
class SamplerClosedFormTest {
    static final double MU = 0.3, C = 0.5;
    static final NoiseSchedule LINSPACE =
            new NoiseSchedule(1000, 0.00085, 0.012, "scaled_linear", 0, "linspace", PredictionType.EPSILON, false);
    static NDManager manager;

    @BeforeAll static void open() { manager = NDManager.newBaseManager(); }
    @AfterAll static void close() { manager.close(); }

    static SigmaSpaceSampler sampler(String name) throws Exception {
        return (SigmaSpaceSampler) Samplers.create(name, "Exponential", LINSPACE);
    }

    static NDArray denoised(NDArray x, double sigma) {
        double s2 = sigma * sigma;
        return x.mul((float) (C * C / (C * C + s2))).add((float) (s2 * MU / (C * C + s2)));
    }

    /** Runs all UNet calls but the last ({@code toZero} false) or all; returns x and the sigma it is at. */
    static Object[] run(SigmaSpaceSampler s, int steps, NDArray z, NoiseSource noise, boolean toZero) {
        s.setTimesteps(steps);
        float[] sig = s.sigmas();
        int calls = s.timesteps().length;
        NDArray x = z.mul((float) Math.sqrt(C * C + (double) sig[0] * sig[0])).add((float) MU);
        int end = toZero ? calls : calls - 1;
        for (int i = 0; i < end; i++) {
            NDArray eps = x.sub(denoised(x, sig[i])).div(sig[i]);
            x = s.step(eps, i, x, noise).prevSample();
        }
        return new Object[] {x, (double) sig[end], (double) sig[0]};
    }

    /** max |x − exact ODE solution| after all but the last call, for deterministic samplers. */
    static double odeError(String name, int steps) throws Exception {
        NDArray z = manager.linspace(-2f, 2f, 17);
        Object[] r = run(sampler(name), steps, z, NoiseSource.seeded(0), false);
        double sigma = (double) r[1], sigmaT = (double) r[2];
        NDArray exact = z.mul((float) Math.sqrt(C * C + sigma * sigma)).add((float) MU);
        return ((NDArray) r[0]).sub(exact).abs().max().getFloat();
    }

    /** Observed order log2(err(n) / err(2n)) at n = 16 → 32. */
    static double order(String name) throws Exception {
        return Math.log(odeError(name, 16) / odeError(name, 32)) / Math.log(2);
    }

    @Test
    void odeSamplersConvergeAtTheirPublishedOrder() throws Exception {
        double euler = order("Euler"), heun = order("Heun"), dpm2 = order("DPM2"), lms = order("LMS");
        System.out.printf("observed orders: Euler %.3f Heun %.3f DPM2 %.3f LMS %.3f%n", euler, heun, dpm2, lms);
        System.out.printf("errors at 16 steps: Euler %.2e Heun %.2e DPM2 %.2e LMS %.2e%n", odeError("Euler", 16),
                odeError("Heun", 16), odeError("DPM2", 16), odeError("LMS", 16));
        assertEquals(1, euler, 0.15, "Euler is first order");
        assertEquals(2, heun, 0.25, "Heun is second order");
        assertEquals(2, dpm2, 0.25, "DPM2 is second order");
        assertTrue(lms > 1.8, "LMS is at least second order (its first steps are lower order): " + lms);
    }

    @Test
    void twoStageSamplersCallTheModelTwicePerStepButTheLast() throws Exception {
        for (String name : new String[] {"Heun", "DPM2", "DPM2 a", "DPM++ SDE"}) {
            SigmaSpaceSampler s = sampler(name);
            s.setTimesteps(10);
            assertEquals(19, s.timesteps().length, name);
            assertEquals(10, s.inferenceSteps(), name);
            assertEquals(10, s.startIndex(0.5), name + ": img2img at 0.5 starts at step 5, call 10");
        }
    }

    @Test
    void heunsFirstStageIsAnEulerStep() throws Exception {
        NDArray z = manager.linspace(-2f, 2f, 9);
        SigmaSpaceSampler heun = sampler("Heun"), euler = sampler("Euler");
        heun.setTimesteps(12);
        euler.setTimesteps(12);
        float s0 = euler.sigmas()[0];
        assertEquals(euler.sigmas()[1], heun.sigmas()[1], 0f, "Heun's second call is at the next step's sigma");
        NDArray eps = z.sub(denoised(z, s0)).div(s0);
        NDArray a = heun.step(eps, 0, z, NoiseSource.seeded(1)).prevSample();
        NDArray b = euler.step(eps, 0, z, NoiseSource.seeded(1)).prevSample();
        assertTrue(a.allClose(b, 0, 1e-6, false), "first stage = Euler step");
    }

    @Test
    void lmsCoefficientsIntegratePolynomialsExactly() throws Exception {
        LmsSampler lms = (LmsSampler) sampler("LMS");
        lms.setTimesteps(20);
        float[] s = lms.sigmas();
        int i = 6;
        for (int order = 1; order <= LmsSampler.ORDER; order++) {
            for (int deg = 0; deg < order; deg++) { // Σ_j c_j·σ_{i-j}^deg = ∫ σ^deg over [σ_i, σ_{i+1}]
                double sum = 0;
                for (int j = 0; j < order; j++) sum += lms.coefficient(order, i, j) * Math.pow(s[i - j], deg);
                double exact = (Math.pow(s[i + 1], deg + 1) - Math.pow(s[i], deg + 1)) / (deg + 1);
                assertEquals(exact, sum, 1e-9 * Math.max(1, Math.abs(exact)), "order " + order + " degree " + deg);
            }
        }
    }

    /** Mean and standard deviation of 40000 chains after a full run; the reverse SDE ends in N(mu, c²). */
    static double[] endDistribution(String name, int steps, long seed) throws Exception {
        NDArray z = NoiseSource.seeded(seed + 1000).next(new ai.djl.ndarray.types.Shape(40000), manager);
        NDArray x = (NDArray) run(sampler(name), steps, z, NoiseSource.seeded(seed), true)[0];
        double mean = x.mean().getFloat();
        double std = Math.sqrt(x.sub((float) mean).pow(2).mean().getFloat());
        return new double[] {mean, std};
    }

    /**
     * Tolerances: 40000 chains give a standard error of c/200 = 0.0025 on the mean and ~0.0018 on the std; the rest is
     * discretisation error. Measured std errors at 30 / 60 steps: Euler a 0.047 / 0.024 (first order in distribution),
     * DPM2 a 0.008 / 0.003, DPM++ SDE 0.005 / 0.003 and DPM++ 2M SDE 0.001 / 0.001. DPM++ SDE's two noises per step
     * are increments of one Brownian motion (sigma_k → midpoint, sigma_k → sigma_{k+1}), as k-diffusion's Brownian
     * tree makes them; with independent draws instead it measured 0.041 / 0.023.
     */
    @Test
    void stochasticSamplersEndInTheDataDistribution() throws Exception {
        for (String name : new String[] {"Euler a", "DPM2 a", "DPM++ SDE", "DPM++ 2M SDE"}) {
            double[] m30 = endDistribution(name, 30, 7), m60 = endDistribution(name, 60, 7);
            System.out.printf("%s: std error %.4f at 30 steps, %.4f at 60%n", name, Math.abs(m30[1] - C), Math.abs(m60[1] - C));
            assertEquals(MU, m30[0], 0.01, name + " mean at 30 steps");
            assertEquals(MU, m60[0], 0.01, name + " mean at 60 steps");
            assertEquals(C, m60[1], 0.03, name + " std at 60 steps");
            assertTrue(Math.abs(m60[1] - C) < Math.abs(m30[1] - C) + 0.004, name + " converges with more steps");
        }
        for (String name : new String[] {"DPM2 a", "DPM++ SDE", "DPM++ 2M SDE"})
            assertEquals(C, endDistribution(name, 30, 7)[1], 0.012, name + " (second order) std at 30 steps");
    }

    @Test
    void stochasticSamplersUseTheirNoise() throws Exception {
        for (String name : new String[] {"DPM2 a", "DPM++ SDE", "DPM++ 2M SDE"}) {
            NDArray z = manager.linspace(-2f, 2f, 9);
            NDArray a = (NDArray) run(sampler(name), 10, z, NoiseSource.seeded(1), true)[0];
            NDArray b = (NDArray) run(sampler(name), 10, z, NoiseSource.seeded(2), true)[0];
            NDArray a2 = (NDArray) run(sampler(name), 10, z, NoiseSource.seeded(1), true)[0];
            assertTrue(!a.allClose(b, 0, 1e-3, false), name + ": another seed, another result");
            assertTrue(a.allClose(a2, 0, 0, false), name + ": same seed, same result");
        }
    }

    /** max |x − exact ODE solution| after all but the last call, for a sampler on unit-variance (VP) latents. */
    static double vpOdeError(String name, int steps) throws Exception {
        VpMultistepSampler s = (VpMultistepSampler) Samplers.create(name, "Exponential", LINSPACE);
        s.setTimesteps(steps);
        float[] sig = s.sigmas();
        NDArray z = manager.linspace(-2f, 2f, 17);
        NDArray x = z.mul((float) Math.sqrt(C * C + (double) sig[0] * sig[0])).add((float) MU)
                .mul((float) VpMultistepSampler.alpha(sig[0]));
        for (int i = 0; i < steps - 1; i++) {
            NDArray xs = x.div((float) VpMultistepSampler.alpha(sig[i]));     // back to sigma space for the denoiser
            NDArray eps = xs.sub(denoised(xs, sig[i])).div(sig[i]);
            x = s.step(eps, i, x, NoiseSource.seeded(0)).prevSample();
        }
        double sigma = sig[steps - 1];
        NDArray exact = z.mul((float) Math.sqrt(C * C + sigma * sigma)).add((float) MU);
        return x.div((float) VpMultistepSampler.alpha(sigma)).sub(exact).abs().max().getFloat();
    }

    static double vpOrder(String name) throws Exception {
        return Math.log(vpOdeError(name, 16) / vpOdeError(name, 32)) / Math.log(2);
    }

    /**
     * Tolerance: UniPC-2 with its corrector is third order (Zhao et al. 2023, UniC raises the order by one), DPM++ 2M
     * second; the float32 state limits the 32-step error to ~1e-7, so the order is taken between 8 and 16 steps too.
     */
    @Test
    void uniPcIsOneOrderAboveDpmSolverPlusPlus2M() throws Exception {
        double uni = vpOrder("UniPC"), dpm = vpOrder("DPM++ 2M");
        double uni8 = Math.log(vpOdeError("UniPC", 8) / vpOdeError("UniPC", 16)) / Math.log(2);
        System.out.printf("observed orders: UniPC %.3f (8→16: %.3f) DPM++ 2M %.3f; errors at 16 steps: UniPC %.2e "
                + "DPM++ 2M %.2e%n", uni, uni8, dpm, vpOdeError("UniPC", 16), vpOdeError("DPM++ 2M", 16));
        assertEquals(2, dpm, 0.3, "DPM++ 2M is second order");
        assertTrue(Math.max(uni, uni8) > 2.6, "UniPC (order 2 + corrector) is third order: " + uni + ", " + uni8);
        assertTrue(vpOdeError("UniPC", 16) < vpOdeError("DPM++ 2M", 16), "UniPC is more accurate at 16 steps");
        assertTrue(vpOdeError("UniPC", 32) < vpOdeError("DPM++ 2M", 32) / 2, "and more so at 32");
    }

    @Test
    void uniPcsFirstStepIsDpmSolverPlusPlus1() throws Exception {
        Sampler uni = Samplers.create("UniPC", null, NoiseSchedule.sd());
        Sampler dpm = Samplers.create("DPM++ 2M", null, NoiseSchedule.sd());
        uni.setTimesteps(15);
        dpm.setTimesteps(15);
        org.junit.jupiter.api.Assertions.assertArrayEquals(dpm.timesteps(), uni.timesteps(), "same timesteps as diffusers' DPM-Solver");
        NDArray x = manager.linspace(-2f, 2f, 9), eps = manager.linspace(1f, -1f, 9);
        NDArray a = uni.step(eps, 0, x, NoiseSource.seeded(1)).prevSample();
        NDArray b = dpm.step(eps, 0, x, NoiseSource.seeded(1)).prevSample();
        assertTrue(a.allClose(b, 0, 1e-6, false), "UniP-1 = DPM-Solver++(1)");
    }

    /** φ_k(z) = Σ_j z^j / (j + k)! (the paper's φ functions, summed as a series, independent of the recursion). */
    static double phi(int k, double z) {
        double sum = 0, term = 1;
        for (int i = 1; i <= k; i++) term /= i;
        for (int j = 0; j < 40; j++) {
            sum += term;
            term *= z / (j + k + 1);
        }
        return sum;
    }

    @Test
    void uniPcCoefficientsFollowThePaper() {
        // g_i = i!·h·φ_{i+1}(h)/B(h) at h → −h (data prediction), B(h) = e^{−h} − 1 (bh2); R_ij = r_j^i
        double h = 0.37, r1 = -0.8, hh = -h;
        UniPcSampler.Coefficients c = UniPcSampler.Coefficients.of(h, new double[] {r1, 1}, 2);
        assertEquals(Math.expm1(hh), c.bH(), 1e-15);
        assertEquals(hh * phi(2, hh) / Math.expm1(hh), c.g()[0], 1e-12, "g_1");
        assertEquals(2 * hh * phi(3, hh) / Math.expm1(hh), c.g()[1], 1e-12, "g_2");
        double[] rho = c.solve(2);
        assertEquals(c.g()[0], rho[0] + rho[1], 1e-12, "row r^0");
        assertEquals(c.g()[1], rho[0] * r1 + rho[1], 1e-12, "row r^1");
        // why a first-order corrector uses rho = 1/2 (diffusers' constant): g_1 → 1/2 as h → 0
        assertEquals(0.5, UniPcSampler.Coefficients.of(1e-6, new double[] {1}, 1).g()[0], 1e-6);
    }
}
