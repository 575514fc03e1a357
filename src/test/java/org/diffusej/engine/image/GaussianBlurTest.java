package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class GaussianBlurTest {
    @Test
    void kernelIsNormalisedSymmetricAndSizedLikeA1111() {
        // A1111: kernel size 2·int(2.5·blur + 0.5) + 1 → 21 taps for mask blur 4
        double[] k = GaussianBlur.kernel(21, 4);
        double sum = 0;
        for (double v : k) sum += v;
        assertEquals(1.0, sum, 1e-12);
        for (int i = 0; i < k.length; i++) assertEquals(k[i], k[k.length - 1 - i], 0.0);
        assertEquals(Math.exp(-1.0 / 32) * k[10], k[11], 1e-15);
    }

    @Test
    void featherKeepsConstantsAndIsSymmetric() {
        Mask ones = Mask.filled(17, 9, 1f);
        for (float v : GaussianBlur.feather(ones, 4).values()) assertEquals(1f, v, 1e-6f);

        Mask dot = Mask.filled(41, 41, 0f);
        dot.set(20, 20, 1f);
        Mask f = GaussianBlur.feather(dot, 3);
        double mass = 0;
        for (int y = 0; y < 41; y++)
            for (int x = 0; x < 41; x++) {
                assertEquals(f.get(x, y), f.get(40 - x, y), 1e-7f);
                assertEquals(f.get(x, y), f.get(x, 40 - y), 1e-7f);
                assertEquals(f.get(x, y), f.get(y, x), 1e-7f);
                mass += f.get(x, y);
            }
        assertEquals(1.0, mass, 1e-6, "normalised: the mask's total is kept away from the borders");
        assertTrue(f.get(20, 20) < 0.1f && f.get(20, 20) > f.get(21, 20));
    }

    @Test
    void featherOfAnEdgeCrossesOneHalfAtTheEdge() {
        Mask half = Mask.filled(40, 3, 0f);
        for (int y = 0; y < 3; y++) for (int x = 20; x < 40; x++) half.set(x, y, 1f);
        Mask f = GaussianBlur.feather(half, 4);
        assertEquals(1f, f.get(19, 1) + f.get(20, 1), 1e-6f, "antisymmetric around the edge");
        assertEquals(0f, f.get(5, 1), 1e-6f);
        assertEquals(1f, f.get(35, 1), 1e-6f);
        assertArrayEquals(half.values(), GaussianBlur.feather(half, 0).values());
    }

    @Test
    void reflect101Borders() {
        assertEquals(1, GaussianBlur.reflect101(-1, 5));
        assertEquals(2, GaussianBlur.reflect101(-2, 5));
        assertEquals(3, GaussianBlur.reflect101(5, 5));
        assertEquals(0, GaussianBlur.reflect101(8, 5));
        assertEquals(0, GaussianBlur.reflect101(-3, 1));
    }

    @Test
    void approximateHasTheRequestedSpread() {
        int w = 201;
        float[] line = new float[w];
        line[100] = 1f;
        float[] b = GaussianBlur.approximate(line, w, 1, 10);
        double mass = 0, var = 0;
        for (int x = 0; x < w; x++) { mass += b[x]; var += b[x] * (x - 100.0) * (x - 100.0); }
        assertEquals(1.0, mass, 1e-5);
        assertEquals(100.0, var, 5.0, "variance ≈ σ² = 100");
        for (int x = 0; x < w; x++) assertEquals(b[x], b[w - 1 - x], 1e-6f);
        float[] constant = new float[30 * 20];
        java.util.Arrays.fill(constant, 0.25f);
        for (float v : GaussianBlur.approximate(constant, 30, 20, 256)) assertEquals(0.25f, v, 1e-6f);
    }
}
