package org.diffusej.engine;

import java.util.Arrays;

/**
 * An RGB image as the engine sees it: planar (all R, then all G, then all B), row-major, values in [0, 1].
 * This is the one currency that crosses from the faces (ImageJ, HTTP, CLI) into the engine and back.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final float[] planes; // [3][height][width]

    public RgbImage(int width, int height, float[] planes) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        if (planes.length != 3 * width * height)
            throw new IllegalArgumentException("expected " + (3 * width * height) + " values for " + width + "x" + height + " RGB, got " + planes.length);
        this.width = width;
        this.height = height;
        this.planes = planes;
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new float[3 * width * height]);
    }

    public int width() { return width; }
    public int height() { return height; }

    /** The backing array (planar RGB); callers that keep or mutate it should {@link #copy()} first. */
    public float[] planes() { return planes; }

    public float get(int channel, int x, int y) { return planes[(channel * height + y) * width + x]; }
    public void set(int channel, int x, int y, float v) { planes[(channel * height + y) * width + x] = v; }

    public RgbImage copy() { return new RgbImage(width, height, planes.clone()); }

    /** Pixels [x0, x0+w) × [y0, y0+h); areas outside this image are black. */
    public RgbImage crop(int x0, int y0, int w, int h) {
        RgbImage out = blank(w, h);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++) {
                int sy = y0 + y;
                if (sy < 0 || sy >= height) continue;
                for (int x = 0; x < w; x++) {
                    int sx = x0 + x;
                    if (sx >= 0 && sx < width) out.set(c, x, y, get(c, sx, sy));
                }
            }
        return out;
    }

    @Override public boolean equals(Object o) {
        return o instanceof RgbImage r && r.width == width && r.height == height && Arrays.equals(r.planes, planes);
    }
    @Override public int hashCode() { return 31 * (31 * width + height) + Arrays.hashCode(planes); }
    @Override public String toString() { return "RgbImage[" + width + "x" + height + "]"; }
}
