package org.diffusej.imglib2;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImgFactory;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

/**
 * ImgLib2 images ⇄ the engine's {@link RgbImage}/{@link Mask}. An image is either 2D (X, Y: grey) or 3D with 3 planes
 * along its last axis (X, Y, C: red, green, blue); it is read through views (any interval origin, any
 * {@link RealType}) straight into the engine's tensor. Values are normalised to [0, 1] over a range {min, max}
 * (by default the image's own data range over all its channels) and results are mapped back into that range.
 */
public final class ImgConversion {

    private ImgConversion() { }

    /** True for an X, Y, C image with 3 channels; false for a 2D grey image; refuses any other shape. */
    public static boolean isRgb(RandomAccessibleInterval<?> image) {
        int n = image.numDimensions();
        if (n == 2) return false;
        if (n == 3 && image.dimension(2) == 3) return true;
        StringBuilder dims = new StringBuilder();
        for (int d = 0; d < n; d++) dims.append(d == 0 ? "" : "×").append(image.dimension(d));
        throw new IllegalArgumentException("DiffuseJ takes a 2D grey image (X, Y) or an RGB image (X, Y, 3 channels); this one is "
                + dims + ". Take one plane with Views.hyperSlice(image, axis, position) and pass each plane on its own.");
    }

    /** {min, max} of the image's values (NaN ignored); {0, 0} when there is none. */
    public static <T extends RealType<T>> double[] range(RandomAccessibleInterval<T> image) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (T t : Views.flatIterable(image)) {
            double v = t.getRealDouble();
            if (Double.isNaN(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return lo > hi ? new double[] {0, 0} : new double[] {lo, hi};
    }

    /** The image as the engine's picture, {@code range[0] → 0}, {@code range[1] → 1}, clamped. */
    public static <T extends RealType<T>> RgbImage toRgb(RandomAccessibleInterval<T> image, double[] range) {
        boolean rgb = isRgb(image);
        RandomAccessibleInterval<T> v = Views.zeroMin(image);
        int w = side(v, 0), h = side(v, 1);
        RgbImage out = RgbImage.blank(w, h);
        RandomAccess<T> ra = v.randomAccess();
        for (int c = 0; c < 3; c++) {
            if (rgb) ra.setPosition(c, 2);
            for (int y = 0; y < h; y++) {
                ra.setPosition(y, 1);
                for (int x = 0; x < w; x++) {
                    ra.setPosition(x, 0);
                    out.set(c, x, y, level(ra.get().getRealDouble(), range));
                }
            }
        }
        return out;
    }

    /** A 2D mask: every non-zero value (NaN excepted) is inside. Refuses masks that do not match {@code width × height}. */
    public static <T extends RealType<T>> Mask toMask(RandomAccessibleInterval<T> mask, int width, int height) {
        if (mask.numDimensions() != 2 || mask.dimension(0) != width || mask.dimension(1) != height)
            throw new IllegalArgumentException("The mask must be a 2D image of " + width + "×" + height + " pixels, like the image; it is "
                    + java.util.Arrays.toString(mask.dimensionsAsLongArray()) + ".");
        float[] m = new float[width * height];
        RandomAccess<T> ra = Views.zeroMin(mask).randomAccess();
        for (int y = 0; y < height; y++) {
            ra.setPosition(y, 1);
            for (int x = 0; x < width; x++) {
                ra.setPosition(x, 0);
                double v = ra.get().getRealDouble();
                m[y * width + x] = v != 0 && !Double.isNaN(v) ? 1f : 0f;
            }
        }
        return new Mask(width, height, m);
    }

    /** The engine's picture as a float image in {@code range}: 2D grey (channel mean) or X, Y, 3 when {@code rgb}. */
    public static Img<FloatType> toFloatImg(RgbImage img, boolean rgb, double[] range) {
        Img<FloatType> out = rgb ? ArrayImgs.floats(img.width(), img.height(), 3) : ArrayImgs.floats(img.width(), img.height());
        write(img, rgb, range, out);
        return out;
    }

    /**
     * Writes the engine's picture into {@code target} (same shape as the source image, any interval origin), in
     * {@code range}: integer types are rounded and clamped to what they can hold.
     */
    public static <T extends RealType<T>> void write(RgbImage img, boolean rgb, double[] range, RandomAccessibleInterval<T> target) {
        RandomAccess<T> ra = Views.zeroMin(target).randomAccess();
        T type = ra.get();
        boolean integer = type instanceof IntegerType;
        double lo = type.getMinValue(), hi = type.getMaxValue();
        for (int c = 0; c < (rgb ? 3 : 1); c++) {
            if (rgb) ra.setPosition(c, 2);
            for (int y = 0; y < img.height(); y++) {
                ra.setPosition(y, 1);
                for (int x = 0; x < img.width(); x++) {
                    ra.setPosition(x, 0);
                    double t = rgb ? img.get(c, x, y) : (img.get(0, x, y) + img.get(1, x, y) + img.get(2, x, y)) / 3.0;
                    double v = range[0] + Math.max(0, Math.min(1, t)) * (range[1] - range[0]);
                    if (integer) v = Math.max(lo, Math.min(hi, Math.round(v)));
                    ra.get().setReal(v);
                }
            }
        }
    }

    /**
     * {@code result} in the pixel type of {@code like} (e.g. a result back in the input's 16 bits): integer types
     * rounded and clamped to what they can hold.
     */
    public static <T extends NativeType<T> & RealType<T>> Img<T> inTypeOf(RandomAccessibleInterval<FloatType> result,
            RandomAccessibleInterval<T> like) {
        T type = like.getType().createVariable();
        boolean integer = type instanceof IntegerType;
        Img<T> out = new ArrayImgFactory<>(type).create(result.dimensionsAsLongArray());
        Cursor<FloatType> in = Views.flatIterable(result).cursor();
        Cursor<T> o = Views.flatIterable(out).cursor();
        while (in.hasNext()) {
            double v = in.next().getRealDouble();
            if (integer) v = Math.max(type.getMinValue(), Math.min(type.getMaxValue(), Math.round(v)));
            o.next().setReal(v);
        }
        return out;
    }

    private static float level(double v, double[] range) {
        if (range[1] <= range[0]) return v >= range[1] ? 1f : 0f;
        return (float) Math.max(0, Math.min(1, (v - range[0]) / (range[1] - range[0])));
    }

    private static int side(RandomAccessibleInterval<?> image, int d) {
        if (image.dimension(d) > Integer.MAX_VALUE) throw new IllegalArgumentException("The image is too large.");
        return (int) image.dimension(d);
    }
}
