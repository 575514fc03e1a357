package org.diffusej.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ImageTensorsTest {
    static RgbImage readPng(String name) throws Exception {
        BufferedImage b = ImageIO.read(Fixtures.input(name).toFile());
        RgbImage img = RgbImage.blank(b.getWidth(), b.getHeight());
        for (int y = 0; y < b.getHeight(); y++)
            for (int x = 0; x < b.getWidth(); x++) {
                int rgb = b.getRGB(x, y);
                img.set(0, x, y, ((rgb >> 16) & 255) / 255f);
                img.set(1, x, y, ((rgb >> 8) & 255) / 255f);
                img.set(2, x, y, (rgb & 255) / 255f);
            }
        return img;
    }

    @Test
    void imageTensorIsExactlyTheDiffusersVaeInput() throws Exception {
        RgbImage img = readPng("init_image.png");
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd1-tiny", "vae.safetensors"))) {
            NDArray t = ImageTensors.toTensor(img, m);
            assertEquals(new Shape(1, 3, 64, 64), t.getShape());
            assertArrayEquals(ref.readFloats("image"), t.toFloatArray());
        }
    }

    @Test
    void roundTrips() {
        RgbImage img = RgbImage.blank(5, 3);
        for (int i = 0; i < img.planes().length; i++) img.planes()[i] = (i % 11) / 10f;
        Mask mask = new Mask(5, 3, new float[] {0, 0.5f, 1, 0.25f, 0, 1, 1, 1, 0, 0, 0.75f, 0, 1, 0, 0});
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = ImageTensors.toTensor(img, m);
            assertEquals(-1f, t.min().getFloat());
            assertEquals(1f, t.max().getFloat());
            assertArrayEquals(img.planes(), ImageTensors.toImage(t).planes(), 1e-7f);
            assertArrayEquals(img.planes(), ImageTensors.toImage(t.squeeze(0)).planes(), 1e-7f);
            List<RgbImage> two = ImageTensors.toImages(t.concat(t.neg(), 0));
            assertEquals(2, two.size());
            assertArrayEquals(img.planes(), two.get(0).planes(), 1e-7f);
            for (int i = 0; i < img.planes().length; i++)
                assertEquals(1f - img.planes()[i], two.get(1).planes()[i], 1e-6f);
            NDArray mt = ImageTensors.toTensor(mask, m);
            assertEquals(new Shape(1, 1, 3, 5), mt.getShape());
            assertArrayEquals(mask.values(), ImageTensors.toMask(mt).values());
            assertEquals(5, ImageTensors.toMask(mt).width());
            NDArray outOfRange = m.create(new float[] {-3f, 3f, 0f}, new Shape(1, 3, 1, 1));
            assertArrayEquals(new float[] {0f, 1f, 0.5f}, ImageTensors.toImage(outOfRange).planes());
        }
    }
}
