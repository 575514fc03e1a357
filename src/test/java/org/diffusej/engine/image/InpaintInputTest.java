package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class InpaintInputTest {
    static RgbImage pattern(int w, int h) {
        RgbImage img = RgbImage.blank(w, h);
        for (int c = 0; c < 3; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
            img.set(c, x, y, ((x * 5 + y * 9 + c * 7) % 13) / 12f);
        return img;
    }

    @Test
    void onlyMaskedWorksOnTheRegionAndKeepsEverythingElse() {
        RgbImage init = pattern(120, 90);
        Mask mask = InpaintRegionTest.rect(120, 90, 50, 30, 70, 45);
        InpaintInput in = InpaintInput.prepare(init, mask, 64, 64, 4, false, true, 8, MaskedContent.FILL);
        assertEquals(64, in.image().width());
        assertEquals(64, in.mask().height());
        assertNotNull(in.region());
        RgbImage white = RgbImage.blank(64, 64);
        java.util.Arrays.fill(white.planes(), 1f);
        RgbImage out = in.composite(white);
        assertEquals(120, out.width());
        assertEquals(90, out.height());
        for (int y = 0; y < 90; y++) for (int x = 0; x < 120; x++)
            if (in.overlayMask().get(x, y) == 0f)
                for (int c = 0; c < 3; c++) assertEquals(init.get(c, x, y), out.get(c, x, y), "kept " + x + "," + y);
        float m = in.overlayMask().get(60, 37);
        assertTrue(m > 0.9f);
        assertEquals(init.get(0, 60, 37) * (1 - m) + m, out.get(0, 60, 37), 1e-5f, "generated inside the mask");
        Mask latent = in.latentMask(8, 8);
        for (float v : latent.values()) assertTrue(v == 0f || v == 1f);
        assertEquals(1f, latent.get(4, 4));
        assertEquals(0f, latent.get(0, 0));
    }

    @Test
    void wholePictureScalesToTheProcessingSizeAndBack() {
        RgbImage init = pattern(60, 44); // not multiples of 8: processed at 64x48
        Mask mask = InpaintRegionTest.rect(60, 44, 0, 0, 30, 44);
        InpaintInput in = InpaintInput.prepare(init, mask, 64, 48, 2, true, false, 0, MaskedContent.ORIGINAL);
        assertNull(in.region());
        assertEquals(64, in.image().width());
        assertEquals(48, in.image().height());
        RgbImage out = in.composite(RgbImage.blank(64, 48));
        assertEquals(60, out.width());
        for (int y = 0; y < 44; y++) {
            for (int c = 0; c < 3; c++) assertEquals(init.get(c, 5, y), out.get(c, 5, y), "inverted: left half kept");
            assertEquals(0f, out.get(1, 50, y), 1e-6f, "right half generated");
        }
    }

    @Test
    void emptyMaskMeansNothingToDo() {
        assertNull(InpaintInput.prepare(pattern(16, 16), Mask.filled(16, 16, 0f), 16, 16, 4, false, false, 0,
                MaskedContent.ORIGINAL));
        assertNull(InpaintInput.prepare(pattern(16, 16), Mask.filled(16, 16, 1f), 16, 16, 4, true, true, 0,
                MaskedContent.ORIGINAL));
    }
}
