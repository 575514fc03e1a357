package org.diffusej.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Preview sizes: full size up to 48² latents, pooled by 2 (then 4, …) above, so a 512² SD image (64² latents) gives a
 * 256² preview and a 1024² SDXL image (128²) a 256² one. The pooling is a plain block mean (checked by hand).
 */
class TaesdPreviewTest {
    @Test
    void poolFactorKeepsPreviewsSmall() {
        assertEquals(1, TaesdPreview.poolFactor(32, 32));
        assertEquals(1, TaesdPreview.poolFactor(48, 48));
        assertEquals(2, TaesdPreview.poolFactor(64, 64));
        assertEquals(2, TaesdPreview.poolFactor(96, 64));
        assertEquals(4, TaesdPreview.poolFactor(128, 128));
        assertEquals(2, TaesdPreview.poolFactor(2, 4000));
    }

    @Test
    void poolingIsTheBlockMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(0f, 30f).reshape(new Shape(1, 1, 5, 6));        // rows 0..4, columns 0..5
            float[] got = TaesdPreview.pooled(x, 2).toFloatArray();
            // block (0,0): 0,1,6,7 → 3.5; (0,1): 2,3,8,9 → 5.5; (1,0): 12,13,18,19 → 15.5; the 5th row is dropped
            assertArrayEquals(new float[] {3.5f, 5.5f, 7.5f, 15.5f, 17.5f, 19.5f}, got, 0f);
        }
    }

    @Test
    void a512ImagesPreviewIs256() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             TaesdWeightSource w = TaesdWeightSource.open(Fixtures.variant("taesd"))) {
            Taesd taesd = Taesd.load(w, m, DataType.FLOAT32);
            RgbImage small = TaesdPreview.of(taesd, m.randomNormal(new Shape(1, 4, 32, 32)));
            assertEquals(256, small.width(), "32² latents: full size");
            RgbImage big = TaesdPreview.of(taesd, m.randomNormal(new Shape(2, 4, 64, 64)));
            assertEquals(256, big.width(), "64² latents (a 512² image): pooled by 2");
            assertEquals(256, big.height());
        }
    }
}
