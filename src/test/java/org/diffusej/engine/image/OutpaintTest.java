package org.diffusej.engine.image;

import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class OutpaintTest {
    static RgbImage halves() {
        RgbImage img = RgbImage.blank(40, 30); // left half red, right half blue
        for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) img.set(x < 20 ? 0 : 2, x, y, 1f);
        return img;
    }

    @Test
    void canvasGeometryAndMask() {
        RgbImage img = halves();
        Outpaint.Canvas c = Outpaint.extend(img, new Outpaint.Sides(8, 0, 16, 4), 3);
        assertEquals(40 + 8 + 16, c.image().width());
        assertEquals(30 + 4, c.image().height());
        assertEquals(c.image().width(), c.mask().width());
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 40; x++)
                for (int ch = 0; ch < 3; ch++) assertEquals(img.get(ch, x, y), c.image().get(ch, x + 8, y), "original kept");
        for (int y = 0; y < 34; y++)
            for (int x = 0; x < 64; x++) {
                boolean keep = x >= 8 + 3 && x < 8 + 40 - 3 && y < 30 - 3; // top side not extended: no overlap there
                assertEquals(keep ? 0f : 1f, c.mask().get(x, y), x + "," + y);
            }
    }

    @Test
    void newAreaIsPrefilledWithTheNearbyColour() {
        Outpaint.Canvas c = Outpaint.extend(halves(), new Outpaint.Sides(16, 0, 16, 0), 0);
        assertTrue(c.image().get(0, 2, 15) > 0.9f && c.image().get(2, 2, 15) < 0.1f, "left extension red");
        assertTrue(c.image().get(2, 69, 15) > 0.9f && c.image().get(0, 69, 15) < 0.1f, "right extension blue");
    }

    @Test
    void nothingAddedIsTheSameImage() {
        RgbImage img = halves();
        Outpaint.Canvas c = Outpaint.extend(img, Outpaint.Sides.all(0), 4);
        assertEquals(img, c.image());
        for (float v : c.mask().values()) assertEquals(0f, v);
    }
}
