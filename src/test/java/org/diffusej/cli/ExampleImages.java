package org.diffusej.cli;

import org.diffusej.engine.RgbImage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Draws the sample images in {@code examples/} from arithmetic alone (no fonts, no Java2D), so they are the same
 * on every JVM: a garden scene with a house at 64, 128 and 512 pixels with a mask over the empty lawn, and 16-bit
 * grey "cells" for the augmentation example. Regenerate with
 * {@code java -cp target/classes:target/test-classes:$(cat target/diffusej.classpath) org.diffusej.cli.ExampleImages examples}.
 */
public final class ExampleImages {
    private static final int SUPERSAMPLE = 4;

    private ExampleImages() { }

    public static void main(String[] args) throws Exception {
        write(Path.of(args.length > 0 ? args[0] : "examples"));
    }

    /** Writes every sample image into {@code dir}. */
    static void write(Path dir) throws IOException, InputException {
        for (int size : new int[] {64, 128, 512}) {
            ImageFiles.write(dir.resolve("garden-" + size + ".png"), garden(size), 8, false, null, true);
            ImageFiles.write(dir.resolve("garden-" + size + "-mask.png"), lawnMask(size), 8, true, null, true);
        }
        for (int i = 0; i < 2; i++)
            ImageFiles.write(dir.resolve("cells").resolve("cells-" + (i + 1) + ".tif"), cells(64, i), 16, true, null, true);
    }

    /** Sky, sun, two hills, a house with a red roof and a lawn, in [0, 1] RGB. */
    static RgbImage garden(int size) {
        RgbImage img = RgbImage.blank(size, size);
        float[] rgb = new float[3];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                float r = 0, g = 0, b = 0;
                for (int sy = 0; sy < SUPERSAMPLE; sy++)
                    for (int sx = 0; sx < SUPERSAMPLE; sx++) {
                        double u = (x + (sx + 0.5) / SUPERSAMPLE) / size, v = (y + (sy + 0.5) / SUPERSAMPLE) / size;
                        scene(u, v, rgb);
                        r += rgb[0]; g += rgb[1]; b += rgb[2];
                    }
                int n = SUPERSAMPLE * SUPERSAMPLE;
                img.set(0, x, y, r / n);
                img.set(1, x, y, g / n);
                img.set(2, x, y, b / n);
            }
        return img;
    }

    /** The colour at (u, v) in [0,1]², v downwards. */
    private static void scene(double u, double v, float[] out) {
        double hillFar = 0.55 - 0.08 * Math.sin(u * 5.0 + 0.6);
        double hillNear = 0.66 - 0.05 * Math.sin(u * 3.0 + 2.0);
        if (inHouse(u, v)) set(out, 0.93, 0.87, 0.74);
        else if (inRoof(u, v)) set(out, 0.70, 0.16, 0.12);
        else if (v > hillNear) set(out, 0.30 + 0.10 * (v - hillNear), 0.62 - 0.15 * (v - hillNear), 0.22);
        else if (v > hillFar) set(out, 0.42, 0.66, 0.36);
        else if (Math.hypot(u - 0.78, v - 0.18) < 0.08) set(out, 1.0, 0.88, 0.35);
        else set(out, 0.55 + 0.35 * v, 0.75 + 0.20 * v, 0.98);
        if (inHouse(u, v) && Math.abs(u - 0.30) < 0.03 && v > 0.63) set(out, 0.36, 0.22, 0.12); // door
    }

    private static boolean inHouse(double u, double v) { return u > 0.18 && u < 0.42 && v > 0.48 && v < 0.70; }

    private static boolean inRoof(double u, double v) {
        return v <= 0.48 && v > 0.34 && Math.abs(u - 0.30) < (v - 0.34) / 0.14 * 0.15;
    }

    private static void set(float[] out, double r, double g, double b) {
        out[0] = (float) r;
        out[1] = (float) g;
        out[2] = (float) b;
    }

    /** White (repaint) over an ellipse of empty lawn right of the house. */
    static RgbImage lawnMask(int size) {
        RgbImage m = RgbImage.blank(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                double u = (x + 0.5) / size, v = (y + 0.5) / size;
                double d = Math.pow((u - 0.66) / 0.20, 2) + Math.pow((v - 0.80) / 0.12, 2);
                for (int c = 0; c < 3; c++) m.set(c, x, y, d <= 1 ? 1f : 0f);
            }
        return m;
    }

    /** Grey fluorescence-like blobs on a dim background, using the whole 16-bit range. */
    static RgbImage cells(int size, int variant) {
        long state = 0x5DEECE66DL + variant;
        double[][] blobs = new double[6][];
        for (int i = 0; i < blobs.length; i++) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            double cx = ((state >>> 33) % 1000) / 1000.0 * size;
            state = state * 6364136223846793005L + 1442695040888963407L;
            double cy = ((state >>> 33) % 1000) / 1000.0 * size;
            blobs[i] = new double[] {cx, cy, size * (0.05 + 0.02 * (i % 3))};
        }
        RgbImage img = RgbImage.blank(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                double v = 0.05 + 0.01 * ((x * 7 + y * 13) % 5);
                for (double[] b : blobs) v += 0.9 * Math.exp(-(Math.pow(x - b[0], 2) + Math.pow(y - b[1], 2)) / (2 * b[2] * b[2]));
                float q = Math.round(Math.min(1.0, v) * 65535) / 65535f;
                for (int c = 0; c < 3; c++) img.set(c, x, y, q);
            }
        return img;
    }
}
