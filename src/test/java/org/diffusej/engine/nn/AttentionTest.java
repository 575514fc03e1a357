package org.diffusej.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Attention core and timestep features against their formulas, computed in double precision in plain Java. */
class AttentionTest {
    private static final int B = 2, HEADS = 3, LQ = 5, LK = 7, D = 4;

    @Test
    void scaledDotProductMatchesDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getEngine("PyTorch").setRandomSeed(11);
            NDArray q = m.randomNormal(0, 2, new Shape(B, HEADS, LQ, D), DataType.FLOAT32);
            NDArray k = m.randomNormal(0, 2, new Shape(B, HEADS, LK, D), DataType.FLOAT32);
            NDArray v = m.randomNormal(new Shape(B, HEADS, LK, D));
            float[] qa = q.toFloatArray(), ka = k.toFloatArray(), va = v.toFloatArray();
            float[] out = new float[B * HEADS * LQ * D];
            for (int bh = 0; bh < B * HEADS; bh++) {
                for (int i = 0; i < LQ; i++) {
                    double[] s = new double[LK];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < LK; j++) {
                        for (int d = 0; d < D; d++) s[j] += qa[(bh * LQ + i) * D + d] * (double) ka[(bh * LK + j) * D + d];
                        s[j] /= Math.sqrt(D);
                        max = Math.max(max, s[j]);
                    }
                    for (int j = 0; j < LK; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int d = 0; d < D; d++) {
                        double o = 0;
                        for (int j = 0; j < LK; j++) o += s[j] / sum * va[(bh * LK + j) * D + d];
                        out[(bh * LQ + i) * D + d] = (float) o;
                    }
                }
            }
            NDArray expected = m.create(out, new Shape(B, HEADS, LQ, D));
            AllClose.assertAllClose(expected, Attention.scaledDotProduct(q, k, v), 1e-5, 1e-5, "attention fp32");
            NDArray half = Attention.scaledDotProduct(q.toType(DataType.FLOAT16, false),
                    k.toType(DataType.FLOAT16, false), v.toType(DataType.FLOAT16, false));
            AllClose.assertAllClose(expected, half, 1e-2, 1e-2, "attention fp16");
        }
    }

    @Test
    void timestepFeaturesAreCosThenSin() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] ts = {0f, 57.25f, 999f};
            int dim = 8, half = dim / 2;
            float[] expected = new float[ts.length * dim];
            for (int n = 0; n < ts.length; n++) {
                for (int i = 0; i < half; i++) {
                    double arg = ts[n] * Math.exp(-Math.log(10000) * i / half);
                    expected[n * dim + i] = (float) Math.cos(arg);
                    expected[n * dim + half + i] = (float) Math.sin(arg);
                }
            }
            // float32 frequencies times t = 999: a few 1e-6 of argument rounding (measured 5e-6), as in torch
            AllClose.assertAllClose(m.create(expected, new Shape(ts.length, dim)),
                    TimestepEmbedding.sinusoidal(m.create(ts), dim), 2e-5, 0, "timestep features");
        }
    }
}
