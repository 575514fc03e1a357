package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.SamplerNames;

import java.util.ArrayList;
import java.util.List;

/**
 * UniPC (Zhao et al. 2023): a multistep predictor (UniP) in data (x0) prediction followed, once the model has been
 * evaluated at the predicted point, by a corrector (UniC) that reuses that same evaluation, so the order rises by one
 * at no extra model call. diffusers' {@code UniPCMultistepScheduler} with its defaults: solver order 2, B(h) = e^h − 1
 * ("bh2"), predict_x0, lower_order_final, final sigma 0. With lambda = −log σ, h = lambda_t − lambda_s and history
 * ratios r_k = (lambda_{s−k} − lambda_s)/h the update is x_t = (σ_t/σ_s)·x_s − α_t·φ₁(−h)·m_s − α_t·B(h)·Σ ρ_k·D_k with
 * D_k = (m_{s−k} − m_s)/r_k; the ρ solve R·ρ = g with R_ij = r_j^i and g_i = i!·φ_{i+1}(−h)/B(h).
 */
public final class UniPcSampler extends VpMultistepSampler {
    /** diffusers' default {@code solver_order} (2 for guided sampling). */
    static final int ORDER = 2;
    private final List<HeldArray> history = new ArrayList<>(); // x0 of the latest steps, oldest first
    private final HeldArray lastSample = new HeldArray();
    private int thisOrder;
    private int lowerOrderSteps;

    public UniPcSampler(NoiseSchedule schedule, SigmaSchedule sigmaSchedule) {
        super(schedule, sigmaSchedule);
    }

    @Override
    public String name() {
        return nameWith(SamplerNames.UNIPC);
    }

    @Override
    protected void reset() {
        for (HeldArray h : history) h.clear();
        history.clear();
        lastSample.clear();
        thisOrder = 0;
        lowerOrderSteps = 0;
    }

    @Override
    public StepResult step(NDArray modelOutput, int index, NDArray sample, NoiseSource noise) {
        // 1. data prediction at the sample the predictor reached
        NDArray x0 = dataPrediction(modelOutput, sample, index);
        // 2. UniC: correct that sample with this evaluation (from the second step on)
        NDArray x = index > 0 && lastSample.get() != null ? corrected(x0, index) : sample;
        // 3. history, and the order of this step (lower on the first steps and the last)
        remember(x0);
        thisOrder = Math.min(Math.min(ORDER, timesteps.length - index), lowerOrderSteps + 1);
        lastSample.set(x);
        // 4. UniP: predict the next sample
        NDArray next = predicted(x, index, thisOrder);
        if (lowerOrderSteps < ORDER) lowerOrderSteps++;
        return new StepResult(next, x0);
    }

    /** UniP-p from step {@code s} to {@code s + 1}; history entry −1 is step s's x0. */
    private NDArray predicted(NDArray x, int s, int order) {
        History hist = history(s, s + 1, order);
        double[] rho = order == 2 ? new double[] {0.5} : order > 2 ? hist.c().solve(order - 1) : new double[0];
        return hist.minusDifferences(base(x, hist.m0(), s, s + 1, hist.c()), s + 1, rho, this);
    }

    /** UniC-p of the sample at step {@code t} from step t − 1, with {@code x0t} the model's data prediction at t. */
    private NDArray corrected(NDArray x0t, int t) {
        int order = thisOrder;
        int s = t - 1;
        History hist = history(s, t, order);
        double[] rho = order == 1 ? new double[] {0.5} : hist.c().solve(order);
        NDArray out = hist.minusDifferences(base(lastSample.get(), hist.m0(), s, t, hist.c()), t, rho, this);
        return out.sub(x0t.sub(hist.m0()).mul((float) (hist.c().alphaBh(t, this) * rho[order - 1])));
    }

    /**
     * What both UniP and UniC take from the history for the step {@code s} → {@code t}: the latest x0 {@code m0}, the
     * scaled differences D_i = (x0 at s − i − m0) / r_i for i < order, and the coefficients of r_1..r_{order−1}, 1.
     */
    private History history(int s, int t, int order) {
        NDArray m0 = recent(0);
        double h = lambda(t) - lambda(s);
        double[] rks = new double[order];
        List<NDArray> d = new ArrayList<>();
        for (int i = 1; i < order; i++) {
            rks[i - 1] = (lambda(s - i) - lambda(s)) / h;
            d.add(recent(i).sub(m0).div((float) rks[i - 1]));
        }
        rks[order - 1] = 1;
        return new History(m0, d, Coefficients.of(h, rks, order));
    }

    /** See {@link #history}. */
    private record History(NDArray m0, List<NDArray> d, Coefficients c) {
        /** {@code out} − Σ_k α_t·B(h)·ρ_k·D_k over the differences (step target {@code t}). */
        NDArray minusDifferences(NDArray out, int t, double[] rho, UniPcSampler sampler) {
            for (int k = 0; k < d.size(); k++) out = out.sub(d.get(k).mul((float) (c.alphaBh(t, sampler) * rho[k])));
            return out;
        }
    }

    /** The first-order part (σ_t/σ_s)·x − α_t·φ₁·m_s (DPM-Solver++(1), i.e. DDIM). */
    private NDArray base(NDArray x, NDArray m0, int s, int t, Coefficients c) {
        double at = alpha(sigmas[t]), as = alpha(sigmas[s]);
        double ratio = (sigmas[t] * at) / (sigmas[s] * as);
        return x.mul((float) ratio).sub(m0.mul((float) (at * c.hPhi1)));
    }

    /** The x0 of {@code back} steps before the latest one. */
    private NDArray recent(int back) {
        return history.get(history.size() - 1 - back).get();
    }

    private void remember(NDArray x0) {
        HeldArray h = history.size() < ORDER ? new HeldArray() : history.remove(0);
        h.set(x0);
        history.add(h);
    }

    /**
     * The step's scalars: φ₁(−h)·h = e^{−h} − 1, B(h) = e^{−h} − 1 (bh2, in the x0 sign convention), the matrix R and
     * the right-hand side g.
     */
    record Coefficients(double hPhi1, double bH, double[][] r, double[] g) {
        static Coefficients of(double h, double[] rks, int order) {
            double hh = -h;
            double hPhi1 = Math.expm1(hh);
            double hPhiK = hPhi1 / hh - 1;
            double bH = Math.expm1(hh);
            double factorial = 1;
            double[][] r = new double[order][rks.length];
            double[] g = new double[order];
            for (int i = 1; i <= order; i++) {
                for (int j = 0; j < rks.length; j++) r[i - 1][j] = Math.pow(rks[j], i - 1);
                g[i - 1] = hPhiK * factorial / bH;
                factorial *= i + 1;
                hPhiK = hPhiK / hh - 1 / factorial;
            }
            return new Coefficients(hPhi1, bH, r, g);
        }

        /** α_t·B(h) at step {@code t}. */
        double alphaBh(int t, UniPcSampler s) {
            return alpha(s.sigmas[t]) * bH;
        }

        /** ρ solving the leading {@code n}×{@code n} block R·ρ = g (Gaussian elimination with partial pivoting). */
        double[] solve(int n) {
            double[][] a = new double[n][n + 1];
            for (int i = 0; i < n; i++) {
                System.arraycopy(r[i], 0, a[i], 0, n);
                a[i][n] = g[i];
            }
            for (int col = 0; col < n; col++) {
                int pivot = col;
                for (int i = col + 1; i < n; i++) if (Math.abs(a[i][col]) > Math.abs(a[pivot][col])) pivot = i;
                double[] tmp = a[col]; a[col] = a[pivot]; a[pivot] = tmp;
                for (int i = 0; i < n; i++) {
                    if (i == col) continue;
                    double f = a[i][col] / a[col][col];
                    for (int j = col; j <= n; j++) a[i][j] -= f * a[col][j];
                }
            }
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = a[i][n] / a[i][i];
            return x;
        }
    }
}
