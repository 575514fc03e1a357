package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

/**
 * Image resizing as Pillow does it (separable filters whose support widens when downscaling, so downscales are
 * antialiased); results are clamped to [0, 1] because Lanczos and bicubic overshoot.
 */
public final class Resampler {
    /** Resampling filter. */
    public enum Filter {
        NEAREST(0), BILINEAR(1), BICUBIC(2), LANCZOS(3);

        final double support;

        Filter(double support) { this.support = support; }

        double weight(double x) {
            x = Math.abs(x);
            switch (this) {
                case BILINEAR: return x < 1 ? 1 - x : 0;
                case BICUBIC: {
                    double a = -0.5;
                    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
                    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
                    return 0;
                }
                case LANCZOS: return x < 3 ? sinc(x) * sinc(x / 3) : 0;
                default: return x < 0.5 ? 1 : 0;
            }
        }

        private static double sinc(double x) {
            if (x == 0) return 1;
            x *= Math.PI;
            return Math.sin(x) / x;
        }
    }

    private Resampler() { }

    public static RgbImage resize(RgbImage img, int width, int height, Filter filter) {
        if (img.width() == width && img.height() == height) return img.copy();
        int n = img.width() * img.height();
        float[] out = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            float[] plane = new float[n];
            System.arraycopy(img.planes(), c * n, plane, 0, n);
            System.arraycopy(resizePlane(plane, img.width(), img.height(), width, height, filter), 0, out, c * width * height, width * height);
        }
        return new RgbImage(width, height, out);
    }

    public static Mask resize(Mask mask, int width, int height, Filter filter) {
        if (mask.width() == width && mask.height() == height) return mask.copy();
        return new Mask(width, height, resizePlane(mask.values(), mask.width(), mask.height(), width, height, filter));
    }

    /** The nearest multiple of {@code multiple} to {@code size}, at least {@code multiple} (e.g. 8 for SD's VAE). */
    public static int nearestMultiple(int size, int multiple) {
        return Math.max(multiple, Math.round(size / (float) multiple) * multiple);
    }

    static float[] resizePlane(float[] src, int w, int h, int outW, int outH, Filter filter) {
        float[] horizontal = pass(src, w, h, outW, filter, true);   // [h][outW]
        return pass(horizontal, outW, h, outH, filter, false);     // [outH][outW]
    }

    /** Resamples each row (horizontal) or column to {@code outSize}. */
    private static float[] pass(float[] src, int w, int h, int outSize, Filter filter, boolean horizontal) {
        int inSize = horizontal ? w : h;
        int outW = horizontal ? outSize : w, outH = horizontal ? h : outSize;
        float[] dst = new float[outW * outH];
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            int lo, hi;
            double[] weights;
            if (filter == Filter.NEAREST) {
                lo = Math.min(inSize - 1, (int) Math.floor(center));
                hi = lo + 1;
                weights = new double[] {1};
            } else {
                lo = Math.max(0, (int) (center - support + 0.5));
                hi = Math.min(inSize, (int) (center + support + 0.5));
                weights = new double[hi - lo];
                double sum = 0;
                for (int i = lo; i < hi; i++) sum += weights[i - lo] = filter.weight((i - center + 0.5) / filterScale);
                for (int i = 0; i < weights.length; i++) weights[i] /= sum;
            }
            int lines = horizontal ? h : w;
            for (int line = 0; line < lines; line++) {
                double acc = 0;
                for (int i = lo; i < hi; i++)
                    acc += weights[i - lo] * (horizontal ? src[line * w + i] : src[i * w + line]);
                float v = (float) Math.min(1, Math.max(0, acc));
                if (horizontal) dst[line * outW + o] = v;
                else dst[o * outW + line] = v;
            }
        }
        return dst;
    }
}
