package org.diffusej.engine.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.diffusej.engine.runtime.Bf16Gate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.diffusej.engine.nn.SlicedAttention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Native ops of the TorchScript helper module against straightforward math written out in Java. */
class TorchOpsTest {
    /** Issue 7: SDPA and sliced attention agree with explicit attention within 1e-4. */
    private static final double ATTENTION_TOLERANCE = 1e-4;
    private static final double NORM_TOLERANCE = 1e-4;
    /** bfloat16 keeps 8 significant bits: relative error up to 2^-8 per rounding, a few roundings per result. */
    private static final double BF16_RELATIVE_TOLERANCE = 3e-2;
    /** float16 keeps 11 significant bits (2^-11 ≈ 5e-4 relative): a few roundings of unit-scale values. */
    private static final double HALF_TOLERANCE = 1e-2;

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        Engine.getEngine("PyTorch").setRandomSeed(7);
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void moduleLoads() {
        assertTrue(TorchOps.available(), TorchOps.status());
        assertEquals("available", TorchOps.status());
    }

    @Test
    void sdpaMatchesAttentionWrittenOut() {
        NDArray[] qkv = randomQkv(2, 3, 17, 11, 8);
        NDArray q = qkv[0], k = qkv[1], v = qkv[2];
        double[] expected = attentionByHand(q, k, v);
        NDArray out = TorchOps.sdpa(q, k, v);
        assertEquals(new Shape(2, 3, 17, 8), out.getShape());
        assertEquals(DataType.FLOAT32, out.getDataType());
        assertClose(expected, out, ATTENTION_TOLERANCE, 0);
    }

    @Test
    void slicedAttentionMatchesAttentionWrittenOut() {
        NDArray[] qkv = randomQkv(1, 2, 23, 9, 4);
        NDArray q = qkv[0], k = qkv[1], v = qkv[2];
        double[] expected = attentionByHand(q, k, v);
        for (int rows : new int[] {1, 5, 23, 100}) {
            NDArray out = SlicedAttention.apply(q, k, v, rows);
            assertEquals(new Shape(1, 2, 23, 4), out.getShape());
            assertClose(expected, out, ATTENTION_TOLERANCE, 0);
        }
        assertClose(expected, SlicedAttention.apply(q, k, v), ATTENTION_TOLERANCE, 0);
    }

    @Test
    void bf16AttentionIsCloseToFloat32AndReturnsFloat32() {
        Bf16Gate.assumeBf16Qualifies();
        NDArray[] qkv = randomQkv(1, 2, 16, 16, 8);
        NDArray q = qkv[0], k = qkv[1], v = qkv[2];
        NDArray out = TorchOps.sdpaBf16(q, k, v);
        assertEquals(DataType.FLOAT32, out.getDataType());
        // Outputs are weighted means of v ~ N(0, 1): errors scale with |v|, not with the (possibly tiny) mean.
        assertClose(attentionByHand(q, k, v), out, BF16_RELATIVE_TOLERANCE, BF16_RELATIVE_TOLERANCE);
    }

    @Test
    void halfPrecisionInputsGiveHalfPrecisionResultsCloseToFloat32() {
        NDArray[] qkv = randomQkv(1, 2, 16, 16, 8);
        NDArray out = TorchOps.sdpa(qkv[0].toType(DataType.FLOAT16, false), qkv[1].toType(DataType.FLOAT16, false),
                qkv[2].toType(DataType.FLOAT16, false));
        assertEquals(DataType.FLOAT16, out.getDataType());
        assertClose(attentionByHand(qkv[0], qkv[1], qkv[2]), out.toType(DataType.FLOAT32, false), HALF_TOLERANCE, 0);

        NDArray x = manager.randomNormal(new Shape(1, 4, 5, 5));
        NDArray weight = manager.randomNormal(new Shape(4));
        NDArray bias = manager.randomNormal(new Shape(4));
        double[] expected = groupNormByHand(x.toFloatArray(), 1, 4, 25, 2, weight.toFloatArray(),
                bias.toFloatArray(), 1e-5);
        NDArray half = TorchOps.groupNorm(x.toType(DataType.FLOAT16, false), 2, weight.toType(DataType.FLOAT16, false),
                bias.toType(DataType.FLOAT16, false), 1e-5);
        assertEquals(DataType.FLOAT16, half.getDataType());
        assertClose(expected, half.toType(DataType.FLOAT32, false), HALF_TOLERANCE, 0);
    }

    @Test
    void groupNormMatchesNormalisationWrittenOut() {
        int n = 2, c = 6, h = 3, w = 5, groups = 3;
        NDArray x = manager.randomNormal(new Shape(n, c, h, w)).mul(3).add(1);
        NDArray weight = manager.randomNormal(new Shape(c));
        NDArray bias = manager.randomNormal(new Shape(c));
        double eps = 1e-5;
        double[] expected = groupNormByHand(x.toFloatArray(), n, c, h * w, groups, weight.toFloatArray(),
                bias.toFloatArray(), eps);
        assertClose(expected, TorchOps.groupNorm(x, groups, weight, bias, eps), NORM_TOLERANCE, 0);

        double[] silu = expected.clone();
        for (int i = 0; i < silu.length; i++) {
            silu[i] = silu[i] / (1 + Math.exp(-silu[i]));
        }
        assertClose(silu, TorchOps.groupNormSilu(x, groups, weight, bias, eps), NORM_TOLERANCE, 0);
    }

    @Test
    void bf16ConvolutionIsCloseToFloat32Convolution() {
        Bf16Gate.assumeBf16Qualifies();
        NDArray x = manager.randomNormal(new Shape(1, 8, 10, 10));
        NDArray weight = manager.randomNormal(new Shape(4, 8, 3, 3)).mul(0.1);
        NDArray bias = manager.randomNormal(new Shape(4));
        NDArray reference = Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(1, 1),
                new Shape(1, 1), 1).singletonOrThrow();
        NDArray out = TorchOps.conv2dBf16(x, weight, bias, 1, 1);
        assertEquals(DataType.FLOAT32, out.getDataType());
        assertEquals(reference.getShape(), out.getShape());
        float[] ref = reference.toFloatArray();
        double[] expected = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            expected[i] = ref[i];
        }
        // Absolute part: sums of 72 products of bf16-rounded values of magnitude ~0.1..1.
        assertClose(expected, out, 0.05, BF16_RELATIVE_TOLERANCE);
    }

    @Test
    void resultsJoinTheScopeTheyAreMadeIn() {
        NDArray q = manager.randomNormal(new Shape(1, 1, 4, 4));
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = TorchOps.sdpa(q, q, q);
            assertFalse(out.isReleased());
        }
        assertTrue(out.isReleased(), "scope closes native results like DJL's own ops");
        assertFalse(q.isReleased());
    }

    private static NDArray[] randomQkv(long batch, long heads, long lq, long lk, long d) {
        return new NDArray[] {manager.randomNormal(new Shape(batch, heads, lq, d)),
            manager.randomNormal(new Shape(batch, heads, lk, d)), manager.randomNormal(new Shape(batch, heads, lk, d))};
    }

    private static double[] attentionByHand(NDArray q, NDArray k, NDArray v) {
        long[] s = q.getShape().getShape();
        int bh = (int) (s[0] * s[1]), lq = (int) s[2], d = (int) s[3], lk = (int) k.getShape().get(2);
        float[] qa = q.toFloatArray(), ka = k.toFloatArray(), va = v.toFloatArray();
        double[] out = new double[bh * lq * d];
        double[] scores = new double[lk];
        for (int b = 0; b < bh; b++) {
            for (int i = 0; i < lq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < lk; j++) {
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += qa[(b * lq + i) * d + e] * (double) ka[(b * lk + j) * d + e];
                    }
                    scores[j] = dot / Math.sqrt(d);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < lk; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int e = 0; e < d; e++) {
                    double acc = 0;
                    for (int j = 0; j < lk; j++) {
                        acc += scores[j] / sum * va[(b * lk + j) * d + e];
                    }
                    out[(b * lq + i) * d + e] = acc;
                }
            }
        }
        return out;
    }

    private static double[] groupNormByHand(float[] x, int n, int c, int spatial, int groups, float[] weight,
            float[] bias, double eps) {
        double[] out = new double[x.length];
        int perGroup = c / groups;
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                int start = (b * c + g * perGroup) * spatial, count = perGroup * spatial;
                double mean = 0, var = 0;
                for (int i = 0; i < count; i++) {
                    mean += x[start + i];
                }
                mean /= count;
                for (int i = 0; i < count; i++) {
                    var += (x[start + i] - mean) * (x[start + i] - mean);
                }
                var /= count;
                for (int i = 0; i < count; i++) {
                    int channel = g * perGroup + i / spatial;
                    out[start + i] = (x[start + i] - mean) / Math.sqrt(var + eps) * weight[channel] + bias[channel];
                }
            }
        }
        return out;
    }

    private static void assertClose(double[] expected, NDArray actual, double atol, double rtol) {
        float[] got = actual.toFloatArray();
        assertEquals(expected.length, got.length, "element count");
        for (int i = 0; i < got.length; i++) {
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (Math.abs(got[i] - expected[i]) > allowed) {
                assertArrayEquals(new double[] {expected[i]}, new double[] {got[i]}, allowed, "element " + i);
            }
        }
    }
}
