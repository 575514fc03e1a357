package org.diffusej.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.diffusej.engine.NoiseSource;

/** Slerp noise: exact at the ends, norm-preserving in between, and seed A's stream after the first draw. */
class LatentWalkTest {
    private static final Shape SHAPE = new Shape(1, 4, 16, 16);

    @Test
    void endsAreTheSeedsOwnNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] a = NoiseSource.seeded(1).next(SHAPE, m).toFloatArray();
            float[] b = NoiseSource.seeded(2).next(SHAPE, m).toFloatArray();
            assertArrayEquals(a, LatentWalk.between(1, 2, 0).next(SHAPE, m).toFloatArray());
            assertArrayEquals(b, LatentWalk.between(1, 2, 1).next(SHAPE, m).toFloatArray(), 1e-5f); // sin(ω)/sin(ω) in float
        }
    }

    @Test
    void theMiddleKeepsTheNormAndLaterDrawsFollowSeedA() {
        try (NDManager m = NDManager.newBaseManager()) {
            NoiseSource walk = LatentWalk.between(1, 2, 0.5);
            NDArray mid = walk.next(SHAPE, m);
            double norm = Math.sqrt(mid.square().sum().getFloat());
            double expected = Math.sqrt(SHAPE.size()); // E|x|² = n for standard normal noise
            assertEquals(expected, norm, 0.1 * expected, "slerp keeps a Gaussian sample's norm (10% for n=1024)");
            double lerpNorm = Math.sqrt(NoiseSource.seeded(1).next(SHAPE, m).add(NoiseSource.seeded(2).next(SHAPE, m))
                    .mul(0.5f).square().sum().getFloat());
            assertTrue(lerpNorm < 0.8 * norm, "a straight mix would shrink it: " + lerpNorm + " vs " + norm);
            NoiseSource a = NoiseSource.seeded(1);
            a.next(SHAPE, m);
            assertArrayEquals(a.next(SHAPE, m).toFloatArray(), walk.next(SHAPE, m).toFloatArray());
        }
    }

    @Test
    void positionsSpanZeroToOne() {
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, LatentWalk.positions(5));
        assertArrayEquals(new double[] {0}, LatentWalk.positions(1));
    }
}
