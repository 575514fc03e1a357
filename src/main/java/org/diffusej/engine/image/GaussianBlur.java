package org.diffusej.engine.image;

import org.diffusej.engine.Mask;

/**
 * Gaussian blurs on float planes: an exact separable kernel for mask feathering (what A1111 does with OpenCV) and a
 * three-box approximation for very large radii (what Pillow's {@code GaussianBlur} does), both O(1) in memory.
 */
public final class GaussianBlur {
    private GaussianBlur() { }

    /**
     * AUTOMATIC1111's mask blur: {@code cv2.GaussianBlur} along x with kernel size {@code 2·int(2.5·px + 0.5) + 1} and
     * σ = px, then the same along y; borders reflect without repeating the edge (OpenCV's default). 0 returns a copy.
     */
    public static Mask feather(Mask mask, int px) {
        if (px < 0) throw new IllegalArgumentException("mask blur must be ≥ 0, got " + px);
        float[] v = mask.values().clone();
        if (px > 0) {
            double[] k = kernel(2 * (int) (2.5 * px + 0.5) + 1, px);
            v = convolve(v, mask.width(), mask.height(), k, true);
            v = convolve(v, mask.width(), mask.height(), k, false);
        }
        return new Mask(mask.width(), mask.height(), v);
    }

    /** OpenCV's {@code getGaussianKernel(size, sigma)} for σ &gt; 0: exp(−x²/2σ²) over the centred taps, summing to 1. */
    public static double[] kernel(int size, double sigma) {
        if (size < 1 || size % 2 == 0) throw new IllegalArgumentException("kernel size must be odd and positive: " + size);
        double[] k = new double[size];
        double sum = 0;
        int half = size / 2;
        for (int i = 0; i < size; i++) {
            double x = i - half;
            k[i] = Math.exp(-x * x / (2 * sigma * sigma));
            sum += k[i];
        }
        for (int i = 0; i < size; i++) k[i] /= sum;
        return k;
    }

    /** One separable pass of {@code kernel} along x ({@code horizontal}) or y, reflect-101 borders. */
    static float[] convolve(float[] src, int w, int h, double[] kernel, boolean horizontal) {
        float[] dst = new float[src.length];
        int half = kernel.length / 2;
        int n = horizontal ? w : h;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int pos = horizontal ? x : y;
                double acc = 0;
                for (int t = 0; t < kernel.length; t++) {
                    int q = reflect101(pos + t - half, n);
                    acc += kernel[t] * src[horizontal ? y * w + q : q * w + x];
                }
                dst[y * w + x] = (float) acc;
            }
        return dst;
    }

    /** gfedcb|abcdefgh|gfedcba; a single pixel reflects onto itself. */
    static int reflect101(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }

    /**
     * A Gaussian of standard deviation σ approximated by three box blurs (edges clamped), cost independent of σ;
     * σ ≤ 0 returns a copy.
     */
    public static float[] approximate(float[] plane, int w, int h, double sigma) {
        float[] out = plane.clone();
        if (sigma <= 0) return out;
        for (int radius : boxRadii(sigma)) {
            out = box(out, w, h, radius, true);
            out = box(out, w, h, radius, false);
        }
        return out;
    }

    /** Radii of three boxes whose successive application has variance σ² (Kovesi's construction). */
    static int[] boxRadii(double sigma) {
        int passes = 3;
        double ideal = Math.sqrt(12 * sigma * sigma / passes + 1);
        int lower = (int) Math.floor(ideal);
        if (lower % 2 == 0) lower--;
        int upper = lower + 2;
        double mIdeal = (12 * sigma * sigma - passes * lower * lower - 4.0 * passes * lower - 3 * passes) / (-4.0 * lower - 4);
        long m = Math.round(mIdeal);
        int[] radii = new int[passes];
        for (int i = 0; i < passes; i++) radii[i] = ((i < m ? lower : upper) - 1) / 2;
        return radii;
    }

    private static float[] box(float[] src, int w, int h, int r, boolean horizontal) {
        float[] dst = new float[src.length];
        int n = horizontal ? w : h, lines = horizontal ? h : w;
        int stride = horizontal ? 1 : w;
        double norm = 1.0 / (2 * r + 1);
        for (int line = 0; line < lines; line++) {
            int base = horizontal ? line * w : line;
            double acc = 0;
            for (int t = -r; t <= r; t++) acc += src[base + clamp(t, n) * stride];
            for (int i = 0; i < n; i++) {
                dst[base + i * stride] = (float) (acc * norm);
                acc += src[base + clamp(i + r + 1, n) * stride] - src[base + clamp(i - r, n) * stride];
            }
        }
        return dst;
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }
}
