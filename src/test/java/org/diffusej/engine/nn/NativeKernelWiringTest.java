package org.diffusej.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.diffusej.engine.runtime.TorchOps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The network's two swap points (attention core, group norm) give the same numbers with every kernel. */
class NativeKernelWiringTest {
    /** Issue 7: SDPA and sliced attention agree with the explicit attention within 1e-4. */
    private static final float TOLERANCE = 1e-4f;

    @AfterEach
    void restoreDefault() {
        System.clearProperty(AttentionKernel.PROPERTY);
    }

    @Test
    void everyAttentionKernelAgreesWithExplicit() {
        Engine.getEngine("PyTorch").setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray q = m.randomNormal(new Shape(2, 4, 300, 16));
            NDArray k = m.randomNormal(new Shape(2, 4, 77, 16));
            NDArray v = m.randomNormal(new Shape(2, 4, 77, 16));
            System.setProperty(AttentionKernel.PROPERTY, "explicit");
            NDArray explicit = Attention.scaledDotProduct(q, k, v);
            for (String kernel : new String[] {"native", "sliced"}) {
                System.setProperty(AttentionKernel.PROPERTY, kernel);
                NDArray out = Attention.scaledDotProduct(q, k, v);
                assertEquals(explicit.getShape(), out.getShape(), kernel);
                assertEquals(0f, explicit.sub(out).abs().max().getFloat(), TOLERANCE, kernel);
            }
            assertEquals(0f, explicit.sub(SlicedAttention.apply(q, k, v, 7)).abs().max().getFloat(), TOLERANCE);
            System.setProperty(AttentionKernel.PROPERTY, "fast");
            assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(q, k, v));
        }
    }

    /** Causal attention (the text encoder's) against its definition in plain Java, with every kernel and slicing. */
    @Test
    void everyCausalKernelMatchesTheDefinition() {
        Engine.getEngine("PyTorch").setRandomSeed(5);
        int b = 2, h = 3, l = 20, d = 8;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray q = m.randomNormal(new Shape(b, h, l, d));
            NDArray k = m.randomNormal(new Shape(b, h, l, d));
            NDArray v = m.randomNormal(new Shape(b, h, l, d));
            NDArray expected = m.create(causalDefinition(q.toFloatArray(), k.toFloatArray(), v.toFloatArray(),
                    b * h, l, d), q.getShape());
            for (String kernel : new String[] {"native", "sliced", "explicit"}) {
                System.setProperty(AttentionKernel.PROPERTY, kernel);
                NDArray out = Attention.scaledDotProduct(q, k, v, true);
                assertEquals(0f, expected.sub(out).abs().max().getFloat(), TOLERANCE, kernel);
            }
            assertEquals(0f, expected.sub(SlicedAttention.apply(q, k, v, 7, true)).abs().max().getFloat(), TOLERANCE,
                    "slices of 7 query rows");
            NDArray unmasked = Attention.scaledDotProduct(q, k, v, false);
            assertTrue(expected.sub(unmasked).abs().max().getFloat() > 0.1f, "the mask changes the result");
            assertThrows(IllegalArgumentException.class,
                    () -> SlicedAttention.apply(q, k.get(":, :, 0:10"), v.get(":, :, 0:10"), true));
        }
    }

    private static float[] causalDefinition(float[] q, float[] k, float[] v, int heads, int l, int d) {
        float[] out = new float[q.length];
        for (int hh = 0; hh < heads; hh++) {
            int base = hh * l * d;
            for (int i = 0; i < l; i++) {
                double[] w = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    for (int c = 0; c < d; c++) s += q[base + i * d + c] * k[base + j * d + c];
                    w[j] = s / Math.sqrt(d);
                    max = Math.max(max, w[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) sum += w[j] = Math.exp(w[j] - max);
                for (int c = 0; c < d; c++) {
                    double acc = 0;
                    for (int j = 0; j <= i; j++) acc += w[j] / sum * v[base + j * d + c];
                    out[base + i * d + c] = (float) acc;
                }
            }
        }
        return out;
    }

    @Test
    void nativeGegluAgreesWithExplicit() {
        Engine.getEngine("PyTorch").setRandomSeed(6);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(new Shape(2, 9, 24)).mul(2);   // [value (12) | gate (12)]
            NDArray value = x.get(":, :, 0:12");
            NDArray gate = x.get(":, :, 12:24");
            NDArray explicit = value.mul(gate.getNDArrayInternal().gelu());
            NDArray fused = TorchOps.geglu(x);
            assertEquals(explicit.getShape(), fused.getShape());
            assertEquals(0f, explicit.sub(fused).abs().max().getFloat(), TOLERANCE);
        }
    }

    @Test
    void nativeGroupNormAgreesWithExplicit() {
        Engine.getEngine("PyTorch").setRandomSeed(4);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(new Shape(2, 64, 9, 7)).mul(2).add(0.5);
            NDArray w = m.randomNormal(new Shape(64));
            NDArray b = m.randomNormal(new Shape(64));
            NDArray reference = GroupNorm.explicit(x, 32, w, b, 1e-6f);
            assertEquals(0f, reference.sub(GroupNorm.apply(x, 32, w, b, 1e-6f)).abs().max().getFloat(), TOLERANCE);
        }
    }
}
