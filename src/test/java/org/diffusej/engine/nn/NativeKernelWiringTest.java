package org.diffusej.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
