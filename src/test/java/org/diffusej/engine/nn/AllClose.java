package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** numpy.allclose-style assertion for tensors: |actual - expected| ≤ atol + rtol·|expected| everywhere. */
public final class AllClose {
    private AllClose() { }

    /** Asserts closeness and returns the largest absolute difference (for reporting). */
    public static double assertAllClose(NDArray expected, NDArray actual, double atol, double rtol, String what) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + ": shape");
        float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        double maxDiff = 0;
        int worst = -1;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) a[i] - e[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            if (d > atol + rtol * Math.abs(e[i]) && (worst < 0 || d > Math.abs((double) a[worst] - e[worst])))
                worst = i;
            maxDiff = Math.max(maxDiff, d);
        }
        int w = worst;
        double max = maxDiff;
        assertTrue(w < 0, () -> what + ": element " + w + " is " + a[w] + ", expected " + e[w]
                + " (atol " + atol + ", rtol " + rtol + ", max |diff| " + max + ")");
        System.out.printf("%s: max |diff| %.3g%n", what, maxDiff);
        return maxDiff;
    }
}
