package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class InpaintRegionTest {
    static Mask rect(int w, int h, int x1, int y1, int x2, int y2) {
        Mask m = Mask.filled(w, h, 0f);
        for (int y = y1; y < y2; y++) for (int x = x1; x < x2; x++) m.set(x, y, 1f);
        return m;
    }

    @Test
    void regionIsTheMaskBoundsPlusPaddingClipped() {
        assertEquals(new CropRegion(10, 20, 30, 25), CropRegion.around(rect(100, 50, 10, 20, 30, 25), 0));
        assertEquals(new CropRegion(2, 12, 38, 33), CropRegion.around(rect(100, 50, 10, 20, 30, 25), 8));
        assertEquals(new CropRegion(0, 0, 100, 50), CropRegion.around(rect(100, 50, 10, 20, 30, 25), 1000));
        assertNull(CropRegion.around(Mask.filled(8, 8, 0f), 32));
        assertNull(CropRegion.around(Mask.filled(8, 8, 0.001f), 32), "below one 8-bit step counts as empty");
    }

    @Test
    void expandsToTheProcessingAspectLikeA1111() {
        // A1111's docstring: a 128x32 mask region processed at 512x512 becomes 128x128
        CropRegion r = new CropRegion(100, 200, 228, 232).expandedToAspect(512, 512, 512, 512);
        assertEquals(new CropRegion(100, 152, 228, 280), r);
        // at the bottom border it is shifted up into the image
        assertEquals(new CropRegion(100, 384, 228, 512), new CropRegion(100, 480, 228, 512).expandedToAspect(512, 512, 512, 512));
        // wider processing size widens a square region
        assertEquals(new CropRegion(0, 0, 96, 48), new CropRegion(24, 0, 72, 48).expandedToAspect(768, 384, 200, 48));
    }

    @Test
    void cropWorksAtModelSizeAndPasteChangesOnlyTheMaskedArea() {
        int w = 200, h = 100;
        RgbImage original = RgbImage.blank(w, h);
        for (int c = 0; c < 3; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
            original.set(c, x, y, ((x * 7 + y * 3 + c * 11) % 17) / 16f);
        Mask feathered = GaussianBlur.feather(rect(w, h, 80, 40, 110, 60), 4);
        InpaintRegion crop = InpaintRegion.crop(original, feathered, 16, 64, 64);
        assertEquals(64, crop.image().width());
        assertEquals(64, crop.mask().height());
        CropRegion r = crop.region();
        assertEquals(r.width(), r.height(), "square like the processing size");
        assertTrue(r.x1() <= 80 - 16 && r.x2() >= 110 + 16 && r.y1() <= 40 - 16 && r.y2() >= 60 + 16);

        RgbImage red = RgbImage.blank(64, 64);
        java.util.Arrays.fill(red.planes(), 0, 64 * 64, 1f);
        RgbImage out = crop.paste(original, red, feathered);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float m = feathered.get(x, y);
                for (int c = 0; c < 3; c++) {
                    float expected = original.get(c, x, y) * (1 - m) + (c == 0 ? 1f : 0f) * m;
                    boolean inRegion = x >= r.x1() && x < r.x2() && y >= r.y1() && y < r.y2();
                    if (!inRegion || m == 0f) assertEquals(original.get(c, x, y), out.get(c, x, y), "untouched at " + x + "," + y);
                    else assertEquals(expected, out.get(c, x, y), 1e-5f);
                }
            }
        assertTrue(out.get(0, 95, 50) > 0.99f && out.get(1, 95, 50) < 0.01f, "the mask's centre is the generated red");
    }

    @Test
    void emptyMaskGivesNoRegion() {
        assertNull(InpaintRegion.crop(RgbImage.blank(32, 32), Mask.filled(32, 32, 0f), 8, 64, 64));
    }

    @Test
    void wholePicturePasteDoublesTheFeatheredMask() {
        RgbImage a = RgbImage.blank(2, 1), b = RgbImage.blank(2, 1);
        java.util.Arrays.fill(b.planes(), 1f);
        Mask m = new Mask(2, 1, new float[] {0.25f, 0.75f});
        RgbImage out = InpaintRegion.pasteWholePicture(a, b, m);
        assertEquals(0.5f, out.get(0, 0, 0), 1e-6f);
        assertEquals(1f, out.get(2, 1, 0), 1e-6f);
    }
}
