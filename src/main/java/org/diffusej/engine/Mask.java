package org.diffusej.engine;

/**
 * A single-channel mask, row-major, values in [0, 1]: 1 = repaint, 0 = keep (AUTOMATIC1111/diffusers meaning).
 */
public final class Mask {
    private final int width;
    private final int height;
    private final float[] values;

    public Mask(int width, int height, float[] values) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("mask size must be positive: " + width + "x" + height);
        if (values.length != width * height)
            throw new IllegalArgumentException("expected " + (width * height) + " mask values for " + width + "x" + height + ", got " + values.length);
        this.width = width;
        this.height = height;
        this.values = values;
    }

    public static Mask filled(int width, int height, float v) {
        float[] a = new float[width * height];
        java.util.Arrays.fill(a, v);
        return new Mask(width, height, a);
    }

    public int width() { return width; }
    public int height() { return height; }
    public float[] values() { return values; }
    public float get(int x, int y) { return values[y * width + x]; }
    public void set(int x, int y, float v) { values[y * width + x] = v; }
    public Mask copy() { return new Mask(width, height, values.clone()); }

    /** True if no pixel is marked for repainting (every value below 0.5). */
    public boolean isEmpty() {
        for (float v : values) if (v >= 0.5f) return false;
        return true;
    }

    public Mask inverted() {
        float[] a = new float[values.length];
        for (int i = 0; i < a.length; i++) a[i] = 1f - values[i];
        return new Mask(width, height, a);
    }

    /** Bounding box {x, y, w, h} of pixels ≥ 0.5, or null if the mask is empty. */
    public int[] bounds() {
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (values[y * width + x] >= 0.5f) {
                    x0 = Math.min(x0, x); y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x); y1 = Math.max(y1, y);
                }
        return x1 < 0 ? null : new int[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }
}
