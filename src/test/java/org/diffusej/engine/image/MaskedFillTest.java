package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MaskedFillTest {
    @Test
    void masksAreaTakesTheSurroundingColourAndTheRestIsKept() {
        RgbImage img = RgbImage.blank(48, 48);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 48; x++) {
            boolean inside = x >= 16 && x < 32 && y >= 16 && y < 32;
            img.set(inside ? 0 : 1, x, y, 1f);                  // red square on green
            if (!inside) img.set(2, x, y, x / 47f);              // and a blue ramp outside
        }
        Mask mask = InpaintRegionTest.rect(48, 48, 16, 16, 32, 32);
        RgbImage filled = MaskedFill.fill(img, mask);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 48; x++) {
            if (mask.get(x, y) == 0f) {
                for (int c = 0; c < 3; c++) assertEquals(img.get(c, x, y), filled.get(c, x, y), 1e-5f, "kept " + x + "," + y);
            } else {
                assertEquals(0f, filled.get(0, x, y), 1e-5f, "no red left");
                assertEquals(1f, filled.get(1, x, y), 1e-5f, "green from around");
            }
        }
        assertTrue(filled.get(2, 17, 24) < filled.get(2, 30, 24), "the ramp continues into the fill");
    }
}
