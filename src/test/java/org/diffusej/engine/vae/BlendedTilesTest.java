package org.diffusej.engine.vae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiling with blending is exact for operators whose receptive field stays inside the zero-weight margin of the
 * overlap: checked with small local "decoder" (2× up, 3×3 conv) and "encoder" (3×3 conv, 2× down) operators.
 */
class BlendedTilesTest {
    /** float32 rounding of the weighted sum Σwᵢyᵢ/Σwᵢ with values of order 1. */
    private static final float EXACT_TOLERANCE = 1e-5f;

    private static NDManager manager;
    private static NDArray kernel;
    private static NDArray bias;

    @BeforeAll
    static void setUp() {
        Engine.getEngine("PyTorch").setRandomSeed(11);
        manager = NDManager.newBaseManager("PyTorch");
        kernel = manager.randomNormal(new Shape(5, 3, 3, 3));
        bias = manager.randomNormal(new Shape(5));
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void tiledUpsamplingOperatorEqualsUntiled() {
        UnaryOperator<NDArray> decoder = x -> conv3x3(x.repeat(2, 2).repeat(3, 2));
        assertTiledEqualsWhole(decoder, new Shape(2, 3, 21, 19), new BlendedTiles(8, 4), 2, new Shape(2, 5, 42, 38));
    }

    @Test
    void tiledDownsamplingOperatorEqualsUntiled() {
        UnaryOperator<NDArray> encoder = x -> Pool.avgPool2d(conv3x3(x), new Shape(2, 2), new Shape(2, 2),
                new Shape(0, 0), false, true);
        assertTiledEqualsWhole(encoder, new Shape(1, 3, 36, 28), new BlendedTiles(16, 8), 0.5,
                new Shape(1, 5, 18, 14));
    }

    @Test
    void inputWithinOneTileIsPassedThrough() {
        NDArray input = manager.randomNormal(new Shape(1, 3, 8, 6));
        NDArray out = new BlendedTiles(8, 4).apply(input, this::identityCheck, 1);
        assertEquals(0f, out.sub(input).abs().max().getFloat(), 0f);
    }

    @Test
    void tileOriginsCoverTheAxisAndEndFlush() {
        BlendedTiles tiles = new BlendedTiles(64, 16);
        assertEquals(List.of(0), tiles.starts(64));
        assertEquals(List.of(0, 48, 96, 128), tiles.starts(192));
        List<Integer> starts = tiles.starts(200);
        assertEquals(200 - 64, starts.get(starts.size() - 1).intValue());
        for (int i = 1; i < starts.size(); i++) {
            assertTrue(starts.get(i) - starts.get(i - 1) <= 48, "neighbours overlap by at least 16");
        }
        assertThrows(IllegalArgumentException.class, () -> new BlendedTiles(8, 8));
    }

    private static void assertTiledEqualsWhole(UnaryOperator<NDArray> op, Shape inputShape, BlendedTiles tiles,
            double scale, Shape outputShape) {
        NDArray input = manager.randomNormal(inputShape);
        NDArray whole = op.apply(input);
        NDArray tiled = tiles.apply(input, op, scale);
        assertEquals(outputShape, tiled.getShape());
        assertEquals(0f, whole.sub(tiled).abs().max().getFloat(), EXACT_TOLERANCE);
    }

    private NDArray identityCheck(NDArray x) {
        return x;
    }

    private static NDArray conv3x3(NDArray x) {
        return Conv2d.conv2d(x, kernel, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
    }
}
