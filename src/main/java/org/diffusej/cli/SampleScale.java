package org.diffusej.cli;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * How the samples of a decoded raster map to [0, 1]: unsigned integers by their bit depth (32-bit integers by
 * 2³²−1, as unsigned numbers), signed 16-bit integers shifted by 2¹⁵, floating point as it is when every value lies in
 * [0, 1] and otherwise stretched from the data's minimum to its maximum (a constant image is clamped to [0, 1]).
 * Non-finite floating-point samples are refused.
 */
final class SampleScale {
    private final boolean floating;
    private final double offset;
    private final double scale;

    private SampleScale(boolean floating, double offset, double scale) {
        this.floating = floating;
        this.offset = offset;
        this.scale = scale;
    }

    /** The scale for {@code r}'s first {@code bands} bands (reads every sample once for floating-point data). */
    static SampleScale of(Raster r, int bands, String file) throws InputException {
        int type = r.getDataBuffer().getDataType();
        if (type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE) return floating(r, bands, file);
        if (type == DataBuffer.TYPE_SHORT) return new SampleScale(false, 32768, 65535);
        int bits = r.getSampleModel().getSampleSize(0);
        return new SampleScale(false, 0, (double) ((1L << bits) - 1));
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
        if (min >= 0 && max <= 1 || max == min) return new SampleScale(true, 0, 1);
        return new SampleScale(true, -min, max - min);
    }

    /** Sample {@code band} at ({@code x}, {@code y}) in [0, 1]. */
    float get(Raster r, int x, int y, int band) {
        double v = floating ? r.getSampleDouble(x, y, band)
                : r.getDataBuffer().getDataType() == DataBuffer.TYPE_INT ? Integer.toUnsignedLong(r.getSample(x, y, band))
                : r.getSample(x, y, band);
        return (float) Math.max(0, Math.min(1, (v + offset) / scale));
    }
}
