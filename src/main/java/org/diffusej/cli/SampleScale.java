package org.diffusej.cli;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * How the samples of a decoded raster map to [0, 1]: unsigned integers by their bit depth (32-bit integers by
 * 2³²−1, as unsigned numbers), signed 16- and 32-bit integers shifted by 2¹⁵ or 2³¹ (their full signed range, so
 * the most negative value is 0 and the most positive 1), floating point as it is when every value lies in [0, 1] and
 * otherwise stretched from the data's minimum to its maximum (a constant image is clamped to [0, 1]).
 * Non-finite floating-point samples are refused.
 */
final class SampleScale {
    private static final double INT32_RANGE = 4294967295.0; // 2^32 - 1

    private final boolean floating;
    private final boolean unsignedInt;
    private final double offset;
    private final double scale;

    private SampleScale(boolean floating, boolean unsignedInt, double offset, double scale) {
        this.floating = floating;
        this.unsignedInt = unsignedInt;
        this.offset = offset;
        this.scale = scale;
    }

    /**
     * The scale for {@code r}'s first {@code bands} bands (reads every sample once for floating-point data);
     * {@code signed}: the file declares its integer samples signed (TIFF SampleFormat 2; the JDK decodes signed and
     * unsigned 32-bit samples into the same int raster, signed 16-bit into a short raster).
     */
    static SampleScale of(Raster r, int bands, boolean signed, String file) throws InputException {
        int type = r.getDataBuffer().getDataType();
        if (type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE) return floating(r, bands, file);
        if (type == DataBuffer.TYPE_SHORT) return new SampleScale(false, false, 32768, 65535);
        int bits = r.getSampleModel().getSampleSize(0);
        if (type == DataBuffer.TYPE_INT && signed) {
            if (bits != 32)
                throw new InputException(file + " holds signed " + bits + "-bit integer samples; signed integers are "
                        + "read at 16 or 32 bits only.");
            return new SampleScale(false, false, 2147483648.0, INT32_RANGE);
        }
        return new SampleScale(false, type == DataBuffer.TYPE_INT, 0, (double) ((1L << bits) - 1));
    }

    private static SampleScale floating(Raster r, int bands, String file) throws InputException {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        double[] row = new double[r.getWidth()];
        for (int b = 0; b < bands; b++)
            for (int y = 0; y < r.getHeight(); y++) {
                r.getSamples(r.getMinX(), r.getMinY() + y, r.getWidth(), 1, b, row);
                for (double v : row) {
                    if (!Double.isFinite(v))
                        throw new InputException(file + " holds floating-point samples that are not finite numbers (NaN "
                                + "or infinity); replace them before using the image.");
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        if (min >= 0 && max <= 1 || max == min) return new SampleScale(true, false, 0, 1);
        return new SampleScale(true, false, -min, max - min);
    }

    /** Sample {@code band} at ({@code x}, {@code y}) in [0, 1]. */
    float get(Raster r, int x, int y, int band) {
        double v = floating ? r.getSampleDouble(x, y, band)
                : unsignedInt ? Integer.toUnsignedLong(r.getSample(x, y, band))
                : r.getSample(x, y, band);
        return (float) Math.max(0, Math.min(1, (v + offset) / scale));
    }
}
