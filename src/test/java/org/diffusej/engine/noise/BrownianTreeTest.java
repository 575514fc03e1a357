package org.diffusej.engine.noise;

import org.diffusej.engine.NoiseSource;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Brownian tree behind DPM++ SDE / 2M SDE noise obeys the Brownian law: increments are N(0, dt), increments of
 * disjoint intervals are independent, W(s,u) = W(s,t) + W(t,u), and W(t) does not depend on which other times were
 * asked before (so an interval's noise is the same at any step count). Tolerances are 5 standard errors of the
 * estimates over N components. Bit-identity with AUTOMATIC1111 is impossible: its tree (torchsde) draws from torch's
 * generator, this one from Java's SplittableRandom; only the law and the seeding scheme carry over.
 */
class BrownianTreeTest {
    static final int N = 200_000;
    static final double T0 = 0.0292, T1 = 14.6146; // SD's sigma range

    static double mean(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s / a.length;
    }

    static double covariance(double[] a, double[] b) {
        double ma = mean(a), mb = mean(b), s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
        return s / a.length;
    }

    static double[] diff(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return d;
    }

    @Test
    void incrementsHaveVarianceDt() {
        BrownianTree w = new BrownianTree(42, T0, T1, N);
        double[][] intervals = {{T0, T1}, {0.3137, 0.9071}, {1.234567, 1.2348}, {5.5, 13.01}, {0.03, 0.0312}};
        for (double[] iv : intervals) {
            double dt = iv[1] - iv[0];
            double[] inc = diff(w.at(iv[1]), w.at(iv[0]));
            assertEquals(0, mean(inc), 5 * Math.sqrt(dt / N), "mean over " + iv[0] + ".." + iv[1]);
            assertEquals(dt, covariance(inc, inc), 5 * dt * Math.sqrt(2.0 / N), "variance over " + iv[0] + ".." + iv[1]);
        }
    }

    @Test
    void disjointIntervalsAreIndependentAndOverlappingOnesCorrelate() {
        BrownianTree w = new BrownianTree(7, T0, T1, N);
        double a = 0.5, b = 1.7, c = 2.3, d = 9.1;
        double[] ab = diff(w.at(b), w.at(a)), bc = diff(w.at(c), w.at(b)), cd = diff(w.at(d), w.at(c));
        double[] ac = diff(w.at(c), w.at(a));
        assertEquals(0, corr(ab, bc), 5 / Math.sqrt(N), "adjacent intervals");
        assertEquals(0, corr(ab, cd), 5 / Math.sqrt(N), "distant intervals");
        assertEquals(Math.sqrt((b - a) / (c - a)), corr(ab, ac), 5 / Math.sqrt(N), "W(a,b) inside W(a,c)");
    }

    static double corr(double[] x, double[] y) {
        return covariance(x, y) / Math.sqrt(covariance(x, x) * covariance(y, y));
    }

    @Test
    void incrementsAdd() {
        BrownianTree w = new BrownianTree(3, T0, T1, 1000);
        double s = 0.77, t = 2.91, u = 8.05;
        double[] su = diff(w.at(u), w.at(s)), st = diff(w.at(t), w.at(s)), tu = diff(w.at(u), w.at(t));
        for (int i = 0; i < su.length; i++) assertEquals(su[i], st[i] + tu[i], 1e-12);
    }

    @Test
    void valuesDoNotDependOnWhatWasAskedBefore() {
        double[] probe = {0.1234, 3.3, 14.0};
        BrownianTree coarse = new BrownianTree(11, T0, T1, 64), fine = new BrownianTree(11, T0, T1, 64);
        for (int i = 0; i <= 10; i++) coarse.at(T1 - i * (T1 - T0) / 10);
        for (int i = 0; i <= 37; i++) fine.at(T0 + i * (T1 - T0) / 37);
        for (double t : probe) assertArrayEquals(new BrownianTree(11, T0, T1, 64).at(t), coarse.at(t), 0, "t " + t);
        for (double t : probe) assertArrayEquals(coarse.at(t), fine.at(t), 0, "t " + t);
        assertFalse(java.util.Arrays.equals(coarse.at(3.3), new BrownianTree(12, T0, T1, 64).at(3.3)), "another seed");
    }

    @Test
    void seededSourcesGiveTheSameIntervalNoiseAtAnyStepCount() {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(1, 4, 8, 8);
            NoiseSource ten = NoiseSource.seeded(5), twenty = NoiseSource.seeded(5);
            ten.brownian(T1, 7.0, T0, T1, shape, m);             // other intervals first, at other step counts
            for (int i = 0; i < 5; i++) twenty.brownian(T1 - i, T1 - i - 0.5, T0, T1, shape, m);
            NDArray a = ten.brownian(2.0, 1.5, T0, T1, shape, m), b = twenty.brownian(2.0, 1.5, T0, T1, shape, m);
            assertTrue(a.allClose(b, 0, 0, false), "same seed, same interval, same noise");
            NDArray batch = NoiseSource.batch(java.util.List.of(NoiseSource.seeded(5), NoiseSource.seeded(6)))
                    .brownian(2.0, 1.5, T0, T1, new Shape(2, 4, 8, 8), m);
            assertTrue(batch.get(0).expandDims(0).allClose(a, 0, 0, false), "batch item 0 uses seed 5's tree");
            assertFalse(batch.get(1).allClose(batch.get(0), 0, 1e-3, false), "item 1 its own (seed 6)");
        }
    }
}
