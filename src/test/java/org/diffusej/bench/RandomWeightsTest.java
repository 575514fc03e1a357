package org.diffusej.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random weights have the requested shapes and the scale that keeps activations of order 1. */
class RandomWeightsTest {
    @Test
    void shapesCountsAndScales() {
        RandomWeights w = RandomWeights.of(Map.of("a.weight", new long[] {64, 32, 3, 3}),
                Map.of("a.bias", new long[] {64}, "norm.weight", new long[] {64}));
        assertEquals(64 * 32 * 9 + 64 + 64, w.parameterCount());
        assertTrue(w.contains("a.bias"));
        assertArrayEquals(new long[] {64, 32, 3, 3}, w.shape("a.weight"));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray kernel = w.load("a.weight", m);
            assertEquals(new Shape(64, 32, 3, 3), kernel.getShape());
            double std = Math.sqrt(kernel.pow(2).mean().getFloat());
            assertEquals(1 / Math.sqrt(32 * 9), std, 0.1 / Math.sqrt(32 * 9), "std ~ 1/sqrt(fan-in)");
            assertEquals(0f, w.load("a.bias", m).abs().sum().getFloat(), 0f);
            assertEquals(64f, w.load("norm.weight", m).sum().getFloat(), 0f);
        }
    }

    @Test
    void clipTextShapesMatchViTL14() {
        Map<String, long[]> shapes = BenchmarkModel.clipTextShapes(BenchmarkModel.SD1_TEXT);
        long count = new RandomWeights(shapes).parameterCount();
        // CLIP ViT-L/14 text model: 123,060,480 parameters (transformers' CLIPTextModel without position_ids).
        assertEquals(123_060_480L, count);
        assertArrayEquals(new long[] {3072, 768},
                shapes.get("cond_stage_model.transformer.text_model.encoder.layers.11.mlp.fc1.weight"));
    }
}
