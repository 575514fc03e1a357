package org.diffusej.cli;

import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PNG/TIFF reading and writing: exact 8/16-bit round trips, grey stays grey, parameters text, no overwrite. */
class ImageFilesTest {
    @TempDir Path dir;

    /** A gradient whose 16-bit values are all distinct from their 8-bit rounding. */
    static RgbImage gradient(int w, int h, int levels) {
        RgbImage img = RgbImage.blank(w, h);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) img.set(c, x, y, ((x * 977 + y * 131 + c * 4099) % levels) / (float) (levels - 1));
        return img;
    }

    @Test
    void eightBitPngRoundTripsExactlyWithParameters() throws Exception {
        RgbImage img = gradient(24, 16, 256);
        Path f = dir.resolve("a.png");
        String params = "a cat\nNegative prompt: dog\nSteps: 20, Seed: 5";
        ImageFiles.write(f, img, 8, false, params, false);
        ImageFile back = ImageFiles.read(f);
        assertEquals(8, back.bitDepth());
        assertEquals(false, back.grey());
        assertEquals(params, back.parameters());
        assertEquals(img, back.rgb(), "values k/255 survive exactly");
        assertTrue(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains("tEXtparameters"),
                "A1111 layout: a tEXt chunk with keyword parameters");
    }

    @Test
    void nonLatinParametersGoToItxt() throws Exception {
        Path f = dir.resolve("u.png");
        String params = "猫の写真 ✨\nSteps: 4";
        ImageFiles.write(f, gradient(8, 8, 256), 8, false, params, false);
        assertEquals(params, ImageFiles.read(f).parameters());
        assertTrue(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains("iTXtparameters"));
    }

    @Test
    void sixteenBitRgbAndGreyRoundTripExactly() throws Exception {
        RgbImage img = gradient(20, 12, 65536);
        Path rgb = dir.resolve("rgb16.png");
        ImageFiles.write(rgb, img, 16, false, null, false);
        ImageFile back = ImageFiles.read(rgb);
        assertEquals(16, back.bitDepth());
        assertEquals(img, back.rgb());

        RgbImage grey = RgbImage.blank(20, 12);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 20; x++) for (int c = 0; c < 3; c++)
            grey.set(c, x, y, (x * 3001 + y * 17) / 65535f);
        for (String name : new String[] {"g16.png", "g16.tif"}) {
            Path f = dir.resolve(name);
            ImageFiles.write(f, grey, 16, true, "p", false);
            ImageFile g = ImageFiles.read(f);
            assertEquals(16, g.bitDepth(), name);
            assertTrue(g.grey(), name);
            assertEquals(grey, g.rgb(), name);
            assertEquals("p", g.parameters(), name);
        }
    }

    @Test
    void existingFileIsNeverReplacedWithoutForce() throws Exception {
        Path f = dir.resolve("x.png");
        Files.writeString(f, "keep me");
        InputException e = assertThrows(InputException.class,
                () -> ImageFiles.write(f, gradient(8, 8, 256), 8, false, null, false));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("keep me", Files.readString(f));
        ImageFiles.write(f, gradient(8, 8, 256), 8, false, null, true);
        assertEquals(8, ImageFiles.read(f).rgb().width());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary files left");
        }
    }

    @Test
    void unreadableFilesAreInputErrors() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.png"), "not a png");
        assertThrows(InputException.class, () -> ImageFiles.read(junk));
        assertThrows(InputException.class, () -> ImageFiles.read(dir.resolve("missing.png")));
        assertThrows(InputException.class, () -> ImageFiles.write(dir.resolve("x.bmp"), gradient(8, 8, 256), 8, false, null, false));
    }
}
