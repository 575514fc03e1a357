package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Linear multistep ("LMS", Adams–Bashforth in sigma): each step integrates the Lagrange polynomial through the last
 * (up to {@value #ORDER}) ODE slopes over [sigma_k, sigma_{k+1}]; the first steps use as many slopes as there are.
 * k-diffusion's {@code sample_lms}, diffusers' {@code LMSDiscreteScheduler} (both integrate numerically; here the
 * polynomial is integrated exactly).
 */
public final class LmsSampler extends SigmaSpaceSampler {
    static final int ORDER = 4;
    private final Deque<HeldArray> slopes = new ArrayDeque<>(); // newest first

    public LmsSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return sigmaSchedule == null ? SamplerNames.LMS : SamplerNames.LMS + " " + sigmaSchedule.name();
    }

    @Override
    protected void reset() {
        slopes.forEach(HeldArray::clear);
        slopes.clear();
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        NDArray x0 = predictOriginal(modelOutput, sample, sigmas[index]);
        HeldArray d = new HeldArray();
        d.set(derivative(sample, x0, sigmas[index]));
        slopes.addFirst(d);
        if (slopes.size() > ORDER) slopes.removeLast().clear();
        int order = slopes.size();
        NDArray next = sample;
        int j = 0;
        for (HeldArray slope : slopes) next = next.add(slope.get().mul((float) coefficient(order, index, j++)));
        return new StepResult(next == sample ? sample.duplicate() : next, x0);
    }

    /**
     * ∫ from sigma_i to sigma_{i+1} of the Lagrange basis polynomial of node sigma_{i-j} over the nodes sigma_i, ...,
     * sigma_{i-order+1} (k-diffusion's {@code linear_multistep_coeff}), integrated exactly in double.
     */
    double coefficient(int order, int i, int j) {
        double[] poly = {1}; // coefficients, lowest power first
        double denominator = 1;
        for (int m = 0; m < order; m++) {
            if (m == j) continue;
            double node = sigmas[i - m];
            double[] next = new double[poly.length + 1];
            for (int p = 0; p < poly.length; p++) {
                next[p + 1] += poly[p];
                next[p] -= node * poly[p];
            }
            poly = next;
            denominator *= sigmas[i - j] - node;
        }
        double a = sigmas[i], b = sigmas[i + 1], integral = 0;
        for (int p = 0; p < poly.length; p++) integral += poly[p] * (Math.pow(b, p + 1) - Math.pow(a, p + 1)) / (p + 1);
        return integral / denominator;
    }
}
