package org.diffusej.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.nn.TimestepEmbedding;

/**
 * SDXL's size and crop conditioning ("micro-conditioning", the six time ids) and the vector conditioning {@code y}
 * the UNet's {@code label_emb} takes: {@code y = cat(pooled, emb(orig_h), emb(orig_w), emb(crop_top),
 * emb(crop_left), emb(target_h), emb(target_w))}, each id embedded with the timestep sinusoid ([cos | sin]) of
 * width {@code dim} (256 in the real model): sgm's {@code ConcatTimestepEmbedderND}, diffusers' "text_time"
 * {@code add_time_proj}. Sizes are in pixels, (height, width) and (top, left) order.
 *
 * @param originalHeight the original image height (A1111 sends the request's height)
 * @param originalWidth  the original image width
 * @param cropTop        crop offset from the top (A1111: 0)
 * @param cropLeft       crop offset from the left
 * @param targetHeight   the target height (A1111: the request's height)
 * @param targetWidth    the target width
 */
public record MicroConditioning(double originalHeight, double originalWidth, double cropTop, double cropLeft,
                                double targetHeight, double targetWidth) {
    /** Number of time ids. */
    public static final int IDS = 6;

    /** What A1111 and diffusers send by default for an image of this size: original = target = the size, no crop. */
    public static MicroConditioning ofSize(int width, int height) {
        return new MicroConditioning(height, width, 0, 0, height, width);
    }

    /** The six ids in the UNet's order. */
    public float[] timeIds() {
        return new float[] {(float) originalHeight, (float) originalWidth, (float) cropTop, (float) cropLeft,
                (float) targetHeight, (float) targetWidth};
    }

    /** {@code [1, 6]} time ids in {@code manager}. */
    public NDArray timeIds(NDManager manager) {
        return manager.create(timeIds(), new Shape(1, IDS));
    }

    /**
     * The time-id embedding width of a UNet whose vector conditioning is {@code admInChannels} wide next to a pooled
     * embedding of {@code pooledWidth}: (2816 − 1280) / 6 = 256 in the real model.
     */
    public static int timeEmbedDim(int admInChannels, int pooledWidth) {
        int rest = admInChannels - pooledWidth;
        if (rest <= 0 || rest % (2 * IDS) != 0)
            throw new IllegalArgumentException("a vector conditioning of " + admInChannels + " channels does not hold a "
                    + pooledWidth + "-wide pooled text embedding and six even-width time-id embeddings");
        return rest / IDS;
    }

    /**
     * The vector conditioning.
     *
     * @param pooled  {@code [N, P]} pooled text embeddings
     * @param timeIds {@code [N, 6]} time ids
     * @param dim     embedding width per id
     * @return {@code [N, P + 6·dim]} float32 (pooled first)
     */
    public static NDArray vector(NDArray pooled, NDArray timeIds, int dim) {
        long n = pooled.getShape().get(0);
        if (!timeIds.getShape().equals(new Shape(n, IDS)))
            throw new IllegalArgumentException("time ids must be [" + n + ", 6], got " + timeIds.getShape());
        try (NDArray features = TimestepEmbedding.sinusoidal(timeIds.reshape(-1), dim)) {     // [6N, dim]
            return pooled.toType(DataType.FLOAT32, false).concat(features.reshape(n, IDS * dim), 1); // [N, P + 6dim]
        }
    }
}
