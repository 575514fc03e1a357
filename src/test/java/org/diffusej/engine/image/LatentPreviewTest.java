package org.diffusej.engine.image;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LatentPreviewTest {
    @Test
    void mapsEachLatentPixelLinearly() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 2 latents of 4×1×2: pixel 0 has only channel 0 = 1, pixel 1 has only channel 3 = 1; second latent ignored
            float[] z = new float[16];
            z[0] = 1f;
            z[7] = 1f;
            java.util.Arrays.fill(z, 8, 16, 9f);
            RgbImage p = LatentPreview.of(m.create(z, new Shape(2, 4, 1, 2)));
            assertEquals(2, p.width());
            assertEquals(1, p.height());
            assertEquals((0.298f + 1) / 2, p.get(0, 0, 0), 1e-6f);
            assertEquals((0.207f + 1) / 2, p.get(1, 0, 0), 1e-6f);
            assertEquals((0.208f + 1) / 2, p.get(2, 0, 0), 1e-6f);
            assertEquals((-0.184f + 1) / 2, p.get(0, 1, 0), 1e-6f);
            assertEquals((-0.473f + 1) / 2, p.get(2, 1, 0), 1e-6f);
        }
    }

    @Test
    void sdxlLatentsUseTheirOwnColours() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] z = new float[8];
            z[0] = 1f;   // pixel 0: channel 0 only
            z[7] = 1f;   // pixel 1: channel 3 only
            RgbImage xl = LatentPreview.ofSdxl(m.create(z, new Shape(1, 4, 1, 2)));
            RgbImage sd = LatentPreview.of(m.create(z, new Shape(1, 4, 1, 2)));
            assertEquals((0.3448f + 1) / 2, xl.get(0, 0, 0), 1e-6f);
            assertEquals((0.4395f + 1) / 2, xl.get(2, 0, 0), 1e-6f);
            assertEquals((-0.2088f + 1) / 2, xl.get(2, 1, 0), 1e-6f);
            assertNotEquals(sd.get(1, 0, 0), xl.get(1, 0, 0), 0.05f);
        }
    }
}
