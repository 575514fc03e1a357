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
public final class DpmPlusPlus2MSampler implements Sampler {
    private final NoiseSchedule schedule;
    private final SigmaSchedule sigmaSchedule; // null = leading timesteps (T // (n+1) spacing), else e.g. Karras
    private final float[] trainSigmas;
    private int inferenceSteps;
    private float[] timesteps = new float[0];
    private float[] sigmas = new float[0];
    private NDArray previousX0; // data prediction of the previous step, kept across step scopes
    private int lowerOrderSteps;

    public DpmPlusPlus2MSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        this.schedule = schedule;
        this.sigmaSchedule = sigmaSchedule;
        this.trainSigmas = schedule.trainSigmas();
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.DPMPP_2M : SamplerNames.DPMPP_2M + " " + sigmaSchedule.name();
    }

    @Override
    public void setTimesteps(int steps) {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        inferenceSteps = steps;
        int last = schedule.numTrainTimesteps();
        double[] t = new double[steps];
        double[] s = new double[steps];
        if (sigmaSchedule == null) {
            t = defaultTimesteps(steps, last);
            for (int i = 0; i < steps; i++) s[i] = trainSigmas[(int) t[i]];
        } else {
            s = sigmaSchedule.sigmas(trainSigmas[0], trainSigmas[trainSigmas.length - 1], steps);
            for (int i = 0; i < steps; i++) t[i] = Math.rint(SigmaSchedule.timestepFor(s[i], trainSigmas));
        }
        timesteps = new float[steps];
        sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = (float) t[i];
            sigmas[i] = (float) s[i];
        }
        forget();
        lowerOrderSteps = 0;
    }

    /** DPM-Solver's own spacing: it divides the range into n + 1 parts and drops the last. */
    private double[] defaultTimesteps(int steps, int last) {
        double[] t = new double[steps];
        switch (schedule.spacing()) {
            case LEADING -> {
                int ratio = last / (steps + 1);
                for (int i = 0; i < steps; i++) t[i] = (double) (steps - i) * ratio + schedule.stepsOffset();
            }
            case TRAILING -> {
                double ratio = (double) last / steps;
                for (int i = 0; i < steps; i++) t[i] = Math.rint(last - i * ratio) - 1;
            }
            case LINSPACE -> {
                for (int i = 0; i < steps; i++) t[i] = Math.rint((last - 1) * (double) (steps - i) / steps);
            }
        }
        return t;
    }

    @Override public int inferenceSteps() { return inferenceSteps; }
    @Override public float[] timesteps() { return timesteps.clone(); }

    /** Noise levels, {@code steps + 1} values ending in 0. */
    public float[] sigmas() { return sigmas.clone(); }

    @Override public float initNoiseSigma() { return 1f; }
    @Override public NDArray scaleModelInput(NDArray sample, int index) { return sample; }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        int n = timesteps.length;
        boolean lastStep = index == n - 1; // final sigma 0: always first order
        // 1. data prediction x0 at this step
        double alpha = alpha(sigmas[index]);
        double sigmaT = sigmas[index] * alpha;
        NDArray x0 = Prediction.original(schedule.predictionType(), modelOutput, sample, (float) alpha,
                (float) sigmaT);
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

    /** alpha_t of the variance-preserving latents at noise level sigma: 1 / sqrt(sigma² + 1). */
    private static double alpha(double sigma) {
        return 1.0 / Math.sqrt(sigma * sigma + 1.0);
    }

    /** Half log-SNR: log(alpha) - log(sigma); +inf at sigma 0. */
    private static double lambda(double alpha, double sigma) {
        return Math.log(alpha) - Math.log(sigma);
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

    @Override
    public NDArray addNoise(NDArray original, NDArray noise, int index) {
        double a = alpha(sigmas[index]);
        return original.mul((float) a).add(noise.mul((float) (sigmas[index] * a)));
    }
}
