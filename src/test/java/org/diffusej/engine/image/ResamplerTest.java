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

    /** Pillow 9.4 {@code Image.fromarray(row, "F").resize((w, 1), filter)} on the same row (float mode: no clamping). */
    @Test
    void matchesPillow() {
        float[] row = {0.2f, 0.7f, 0.4f, 0.8f, 0.3f, 0.5f, 0.6f};
        Mask m = new Mask(7, 1, row);
        assertArrayEquals(new float[] {0.4615840017795563f, 0.5608593225479126f, 0.4915897250175476f},
                Resampler.resize(m, 3, 1, Resampler.Filter.LANCZOS).values(), 1e-6f);
        assertArrayEquals(new float[] {0.4580645263195038f, 0.5579975843429565f, 0.4979838728904724f},
                Resampler.resize(m, 3, 1, Resampler.Filter.BICUBIC).values(), 1e-6f);
        assertArrayEquals(new float[] {0.4571428596973419f, 0.5647059082984924f, 0.4928571581840515f},
                Resampler.resize(m, 3, 1, Resampler.Filter.BILINEAR).values(), 1e-6f);
        assertArrayEquals(new float[] {0.16112929582595825f, 0.37333938479423523f, 0.6936467885971069f,
                        0.5359483361244202f, 0.42265626788139343f, 0.728096067905426f, 0.6989294290542603f,
                        0.33515626192092896f, 0.35028934478759766f, 0.5062412023544312f, 0.57597815990448f,
                        0.6077741384506226f},
                Resampler.resize(m, 12, 1, Resampler.Filter.BICUBIC).values(), 1e-6f);
        assertArrayEquals(new float[] {0.13391755521297455f, 0.38623231649398804f, 0.6923828721046448f,
                        0.5352652072906494f, 0.42191430926322937f, 0.7332518696784973f, 0.7128865718841553f,
                        0.3471388816833496f, 0.30438733100891113f, 0.5124282836914062f, 0.5918940901756287f,
                        0.6044518351554871f},
                Resampler.resize(m, 12, 1, Resampler.Filter.LANCZOS).values(), 1e-6f);
    }

    @Test
    void nearestMultipleOfEight() {
        assertEquals(512, Resampler.nearestMultiple(512, 8));
        assertEquals(504, Resampler.nearestMultiple(507, 8));
        assertEquals(512, Resampler.nearestMultiple(509, 8));
        assertEquals(8, Resampler.nearestMultiple(3, 8));
    }
}
