package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Runs an image-to-image operator (VAE decoder or encoder) over overlapping square tiles and blends the tiles'
 * outputs seamlessly, so that memory is bounded by the tile size instead of the image size.
 *
 * <p>Blending: along each interior tile edge the tile's weight is 0 for the first quarter of the overlap (where
 * zero padding at the tile edge disturbs the operator), rises linearly to 1 over the middle half and is 1
 * beyond; two tiles overlapping by exactly the overlap sum to 1 everywhere. The blended output is
 * Σ wᵢ·yᵢ / Σ wᵢ. For a purely local operator whose receptive field reaches less than a quarter of the overlap
 * (in output pixels) the result equals the untiled output; a VAE's group norm and mid-block attention see the
 * whole input, so for a VAE tiles are an approximation (see the tests for measured differences).
 */
public final class BlendedTiles {
    private final int tile;
    private final int overlap;

    /**
     * @param tile    tile edge in input pixels (latent pixels for a decoder)
     * @param overlap overlap between neighbouring tiles in input pixels, {@code 0 < overlap < tile}
     */
    public BlendedTiles(int tile, int overlap) {
        if (tile < 2 || overlap < 1 || overlap >= tile) {
            throw new IllegalArgumentException("need tile >= 2 and 0 < overlap < tile: " + tile + ", " + overlap);
        }
        this.tile = tile;
        this.overlap = overlap;
    }

    /**
     * Applies {@code op} tile by tile. {@code input} is [N, C, H, W]; {@code op} maps [N, C, h, w] to
     * [N, C', h·scale, w·scale] (scale 8 for an SD decoder, 1/8 for an encoder; h·scale must be whole).
     * Inputs no larger than one tile go through {@code op} unchanged. The result is float32 and joins
     * {@code input}'s manager; each tile's intermediates are closed before the next tile.
     */
    public NDArray apply(NDArray input, UnaryOperator<NDArray> op, double scale) {
        long[] s = input.getShape().getShape();
        int h = (int) s[2], w = (int) s[3];
        if (h <= tile && w <= tile) {
            return op.apply(input);
        }
        List<Integer> ys = starts(h), xs = starts(w);
        int th = Math.min(tile, h), tw = Math.min(tile, w);
        int outTh = scaled(th, scale), outTw = scaled(tw, scale);
        NDManager manager = input.getManager();
        NDArray sum = null;
        NDArray weightSum = manager.zeros(new Shape(1, 1, scaled(h, scale), scaled(w, scale)), DataType.FLOAT32);
        for (int y : ys) {
            for (int x : xs) {
                try (NDScope scope = new NDScope()) {
                    NDArray part = op.apply(input.get(new NDIndex(":, :, {}:{}, {}:{}", y, y + th, x, x + tw)));
                    if (part.getDataType() != DataType.FLOAT32) {
                        part = part.toType(DataType.FLOAT32, false);
                    }
                    if (sum == null) {
                        sum = manager.zeros(new Shape(s[0], part.getShape().get(1), scaled(h, scale),
                                scaled(w, scale)), DataType.FLOAT32);
                        NDScope.unregister(sum);
                    }
                    float[] wy = ramp(outTh, y > 0, y + th < h, scale);
                    float[] wx = ramp(outTw, x > 0, x + tw < w, scale);
                    NDArray weight = manager.create(wy, new Shape(1, 1, outTh, 1))
                            .mul(manager.create(wx, new Shape(1, 1, 1, outTw))); // [1, 1, outTh, outTw]
                    int oy = scaled(y, scale), ox = scaled(x, scale);
                    NDIndex region = new NDIndex(":, :, {}:{}, {}:{}", oy, oy + outTh, ox, ox + outTw);
                    sum.set(region, sum.get(region).add(part.mul(weight)));
                    weightSum.set(region, weightSum.get(region).add(weight));
                }
            }
        }
        try (NDArray total = sum; NDArray weights = weightSum) {
            return total.div(weights);
        }
    }

    /** Tile origins along one axis: every {@code tile - overlap}, the last one flush with the far edge. */
    List<Integer> starts(int length) {
        List<Integer> result = new ArrayList<>();
        if (length <= tile) {
            result.add(0);
            return result;
        }
        for (int start = 0; ; start += tile - overlap) {
            if (start + tile >= length) {
                result.add(length - tile);
                return result;
            }
            result.add(start);
        }
    }

    /** 1-D blending weights of one tile edge-to-edge in output pixels; ramps only at interior edges. */
    private float[] ramp(int length, boolean rampAtStart, boolean rampAtEnd, double scale) {
        double band = overlap * scale; // overlap in output pixels
        float[] weights = new float[length];
        for (int i = 0; i < length; i++) {
            double wStart = rampAtStart ? edgeWeight(i, band) : 1;
            double wEnd = rampAtEnd ? edgeWeight(length - 1 - i, band) : 1;
            weights[i] = (float) Math.min(wStart, wEnd);
        }
        return weights;
    }

    private static double edgeWeight(int distanceFromEdge, double band) {
        return Math.max(0, Math.min(1, (distanceFromEdge + 0.5 - band / 4) / (band / 2)));
    }

    private static int scaled(int pixels, double scale) {
        double value = pixels * scale;
        long rounded = Math.round(value);
        if (Math.abs(value - rounded) > 1e-9) {
            throw new IllegalArgumentException(pixels + " pixels do not scale to whole pixels by " + scale);
        }
        return (int) rounded;
    }
}
