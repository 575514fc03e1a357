package org.diffusej.engine.noise;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded Brownian motion W on [t0, t1] (W(t0) = 0) that can be evaluated at any time in any order with the same
 * result: W(t1) comes from the seed, and every bisection midpoint from the Brownian bridge between its interval's ends
 * with noise seeded by (seed, node) — k-diffusion's {@code BrownianTreeNoiseSampler} idea (torchsde's
 * {@code BrownianTree}), written anew. So the noise of an interval is the same whichever step count brought the
 * sampler there. Bisection stops at {@link #DEPTH} levels; a point inside a leaf gets a bridge draw seeded by the
 * point itself. The values are not torch's (different generator), so runs are not bit-identical to AUTOMATIC1111's.
 */
public final class BrownianTree {
    /** Bisection levels: leaves are 2^-24 of the range wide. */
    static final int DEPTH = 24;
    /** Midpoints kept (a few root-to-leaf paths: consecutive queries share most of theirs); bounds memory for big latents. */
    private static final int CACHE = 64;

    private final long seed;
    private final double t0, t1;
    private final int size;
    private final double[] end; // W(t1)
    private final Map<Long, double[]> midpoints = new LinkedHashMap<>(64, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Long, double[]> e) { return size() > CACHE; }
    };

    /** A motion of {@code size} independent components on [t0, t1] (t0 &lt; t1). */
    public BrownianTree(long seed, double t0, double t1, int size) {
        if (!(t0 < t1)) throw new IllegalArgumentException("need t0 < t1, got " + t0 + ", " + t1);
        this.seed = seed;
        this.t0 = t0;
        this.t1 = t1;
        this.size = size;
        this.end = gaussian(0, Math.sqrt(t1 - t0));
    }

    /** Components per evaluation. */
    public int size() {
        return size;
    }

    /** W(t) for t clamped to [t0, t1]. */
    public double[] at(double t) {
        t = Math.max(t0, Math.min(t1, t));
        double a = t0, b = t1;
        double[] wa = new double[size], wb = end;
        if (t == t0) return wa;
        if (t == t1) return wb.clone();
        long node = 1;
        for (int depth = 0; depth < DEPTH; depth++) {
            double m = 0.5 * (a + b);
            double[] wm = midpoint(node, a, b, wa, wb);
            if (t == m) return wm.clone();
            if (t < m) { b = m; wb = wm; node = 2 * node; }
            else { a = m; wa = wm; node = 2 * node + 1; }
        }
        return bridge(wa, wb, a, b, t, leafKey(node, t));
    }

    /** The normalised increment (W(to) − W(from)) / sqrt|to − from|: standard normal per component. */
    public double[] increment(double from, double to) {
        double[] wf = at(from), wt = at(to);
        double scale = 1 / Math.sqrt(Math.abs(to - from));
        for (int i = 0; i < size; i++) wt[i] = (wt[i] - wf[i]) * scale;
        return wt;
    }

    private double[] midpoint(long node, double a, double b, double[] wa, double[] wb) {
        double[] w = midpoints.get(node);
        if (w == null) {
            w = bridge(wa, wb, a, b, 0.5 * (a + b), node);
            midpoints.put(node, w);
        }
        return w;
    }

    /** W(t) given W(a), W(b): mean on the chord, variance (t − a)(b − t)/(b − a), noise seeded by {@code key}. */
    private double[] bridge(double[] wa, double[] wb, double a, double b, double t, long key) {
        double f = (t - a) / (b - a);
        double[] w = gaussian(key, Math.sqrt((t - a) * (b - t) / (b - a)));
        for (int i = 0; i < size; i++) w[i] += wa[i] + f * (wb[i] - wa[i]);
        return w;
    }

    private static long leafKey(long node, double t) {
        return node * 0x9E3779B97F4A7C15L ^ Double.doubleToLongBits(t);
    }

    /** {@code size} normals times {@code std} from (seed, key); key 0 is W(t1). */
    private double[] gaussian(long key, double std) {
        SplittableRandom r = new SplittableRandom(seed * 0xBF58476D1CE4E5B9L + key * 0x94D049BB133111EBL + key);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) out[i] = r.nextGaussian() * std;
        return out;
    }
}
