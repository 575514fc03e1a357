package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ResamplerTest {
    @Test
    void constantStaysConstantWithEveryFilter() {
        RgbImage grey = RgbImage.blank(13, 7);
        java.util.Arrays.fill(grey.planes(), 0.4f);
        for (Resampler.Filter f : Resampler.Filter.values())
            for (int[] size : new int[][] {{26, 14}, {5, 3}, {64, 64}})
                for (float v : Resampler.resize(grey, size[0], size[1], f).planes()) assertEquals(0.4f, v, 1e-6f, f.name());
    }

    @Test
    void downscaleAveragesAndUpscaleKeepsSamples() {
        Mask checker = Mask.filled(16, 16, 0f);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) checker.set(x, y, (x + y) % 2);
        // a 4× triangle filter weights odd and even pixels of a period-2 pattern almost equally (Pillow gives the same)
        for (float v : Resampler.resize(checker, 4, 4, Resampler.Filter.BILINEAR).values()) assertEquals(0.5f, v, 0.005f);
        Mask up = Resampler.resize(checker, 32, 32, Resampler.Filter.NEAREST);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) assertEquals(checker.get(x / 2, y / 2), up.get(x, y));
        Mask lanczos = Resampler.resize(checker, 48, 48, Resampler.Filter.LANCZOS);
        for (float v : lanczos.values()) assertTrue(v >= 0f && v <= 1f, "clamped");
    }

    @Test
    void mirrorSymmetryIsKept() {
        RgbImage img = RgbImage.blank(10, 1);
        for (int x = 0; x < 10; x++) for (int c = 0; c < 3; c++) img.set(c, x, 0, Math.min(x, 9 - x) / 4.5f);
        RgbImage r = Resampler.resize(img, 23, 1, Resampler.Filter.BICUBIC);
        for (int x = 0; x < 23; x++) assertEquals(r.get(0, x, 0), r.get(0, 22 - x, 0), 1e-6f);
    }

    @Test
    void nearestMultipleOfEight() {
        assertEquals(512, Resampler.nearestMultiple(512, 8));
        assertEquals(504, Resampler.nearestMultiple(507, 8));
        assertEquals(512, Resampler.nearestMultiple(509, 8));
        assertEquals(8, Resampler.nearestMultiple(3, 8));
    }
}
