package org.diffusej.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** GroupNorm against the definition, computed in double precision in plain Java. */
class GroupNormTest {
    private static final int N = 2, C = 6, H = 3, W = 5, G = 3;

    @Test
    void matchesDefinition() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getEngine("PyTorch").setRandomSeed(7);
            NDArray x = m.randomNormal(0, 2, new Shape(N, C, H, W), DataType.FLOAT32).add(3); // offset: tests centring
            NDArray weight = m.randomNormal(new Shape(C));
            NDArray bias = m.randomNormal(new Shape(C));
            float eps = 1e-5f;
            NDArray expected = m.create(reference(x.toFloatArray(), weight.toFloatArray(), bias.toFloatArray(), eps),
                    x.getShape());
            AllClose.assertAllClose(expected, GroupNorm.apply(x, G, weight, bias, eps), 1e-5, 1e-5, "group norm fp32");

            // half precision: same statistics (computed in fp32), result in fp16; fp16 resolution ~1e-3 at |y| ~ 3
            NDArray y16 = GroupNorm.apply(x.toType(DataType.FLOAT16, false), G, weight.toType(DataType.FLOAT16, false),
                    bias.toType(DataType.FLOAT16, false), eps);
            assertEquals(DataType.FLOAT16, y16.getDataType());
            AllClose.assertAllClose(expected, y16, 1e-2, 1e-2, "group norm fp16");
        }
    }

    @Test
    void siluVariantIsSiluOfTheNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getEngine("PyTorch").setRandomSeed(11);
            NDArray x = m.randomNormal(0, 2, new Shape(N, C, H, W), DataType.FLOAT32).add(3);
            NDArray weight = m.randomNormal(new Shape(C));
            NDArray bias = m.randomNormal(new Shape(C));
            float eps = 1e-6f;
            float[] normed = reference(x.toFloatArray(), weight.toFloatArray(), bias.toFloatArray(), eps);
            float[] silu = new float[normed.length];
            for (int i = 0; i < silu.length; i++) silu[i] = (float) (normed[i] / (1 + Math.exp(-normed[i])));
            NDArray expected = m.create(silu, x.getShape());
            AllClose.assertAllClose(expected, GroupNorm.applySilu(x, G, weight, bias, eps), 1e-5, 1e-5,
                    "group norm + SiLU (native when available)");
            AllClose.assertAllClose(expected, Silu.apply(GroupNorm.explicit(x, G, weight, bias, eps)), 1e-5, 1e-5,
                    "explicit group norm, then SiLU (the fallback)");
        }
    }

    private static float[] reference(float[] x, float[] w, float[] b, float eps) {
        float[] y = new float[x.length];
        int perGroup = C / G * H * W;
        for (int n = 0; n < N; n++) {
            for (int g = 0; g < G; g++) {
                int start = (n * C + g * (C / G)) * H * W;
                double mean = 0, var = 0;
                for (int i = 0; i < perGroup; i++) mean += x[start + i];
                mean /= perGroup;
                for (int i = 0; i < perGroup; i++) var += (x[start + i] - mean) * (x[start + i] - mean);
                var /= perGroup;   // biased, as torch
                for (int i = 0; i < perGroup; i++) {
                    int c = g * (C / G) + i / (H * W);
                    y[start + i] = (float) ((x[start + i] - mean) / Math.sqrt(var + eps) * w[c] + b[c]);
                }
            }
        }
        return y;
    }
}
