package org.diffusej.engine.pipeline;

import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Request;
import org.diffusej.engine.runtime.MemoryBudget;
import org.diffusej.engine.unet.UNetConfig;
import org.diffusej.engine.vae.TiledVae;
import org.diffusej.engine.vae.VaeConfig;

import java.util.Locale;

/**
 * A conservative estimate of a job's peak memory beyond the loaded weights, checked before anything is allocated.
 * float32 throughout; the larger of two phases: the UNet (classifier-free guidance doubles the batch; per level its
 * skip maps plus four working maps; the score matrices of its attention unless a fused kernel computes them) and the
 * VAE at its highest resolution (six maps per level, and its single-head mid-block attention over every latent
 * pixel of a tile or of the whole image, score matrix and softmax: the tiny test VAEs, downscaling only 2×, reach
 * 65,536 tokens = 32 GiB at 512²). Output images are counted on the Java heap.
 */
final class MemoryEstimate {
    private static final long FLOAT = 4;
    /** Per-slice score budget of {@link org.diffusej.engine.nn.SlicedAttention} (64 Mi floats). */
    private static final long SLICE_BYTES = (64L << 20) * FLOAT;

    private MemoryEstimate() { }

    /** Bytes outside the heap (libtorch) and on the Java heap. */
    record Bytes(long nativeBytes, long heapBytes) { }

    /**
     * @param fusedUnetAttention the UNet's attention runs in a fused kernel (no score matrix)
     * @param slicedAttention    explicit attention runs in slices (score matrices capped per slice)
     */
    static Bytes of(Request r, int multiple, UNetConfig u, VaeConfig v, boolean fusedUnetAttention,
                    boolean slicedAttention) {
        long w = RequestCheck.roundUp(r.width(), multiple), h = RequestCheck.roundUp(r.height(), multiple);
        long batch = r.batchSize();
        long latentPixels = (w / v.downscale()) * (h / v.downscale());
        // 1. UNet, batch doubled by CFG
        long unet = 0;
        for (int l = 0; l < u.levels(); l++) {
            long c = (long) u.modelChannels() * u.channelMult().get(l), px = latentPixels >> (2 * l);
            unet += (u.numResBlocks() + 1 + 4) * c * px * FLOAT * 2 * batch;
            if (u.hasAttention(l) && !fusedUnetAttention)
                unet += scores(2 * batch * u.headsFor(c), px, slicedAttention);
        }
        // 2. VAE over a tile or the whole image
        boolean tiled = Math.max(w, h) > TiledVae.DEFAULT_THRESHOLD_PIXELS;
        long tileLatents = (long) TiledVae.DEFAULT_LATENT_TILE * TiledVae.DEFAULT_LATENT_TILE;
        long vaeLatents = tiled ? Math.min(latentPixels, tileLatents) : latentPixels;
        long vaePixels = vaeLatents * v.downscale() * v.downscale();
        long vae = 0;
        for (int l = 0; l < v.levels(); l++)
            vae += 6L * v.ch() * v.chMult().get(l) * (vaePixels >> (2 * l)) * FLOAT * batch;
        vae += scores(batch, vaeLatents, slicedAttention);
        // 3. the batch's latents, decoded images as tensors, and the images kept on the heap
        long images = 3 * w * h * FLOAT;
        long nativeBytes = Math.max(unet, vae) + 4 * images * batch;
        long heapBytes = images * ((long) r.batchCount() * batch + 3);
        return new Bytes(nativeBytes, heapBytes);
    }

    /** Score matrix and softmax of {@code heads} attentions over {@code tokens} × {@code tokens}. */
    private static long scores(long heads, long tokens, boolean sliced) {
        double full = 2.0 * heads * tokens * tokens * FLOAT;
        long bytes = full > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) full;
        return sliced ? Math.min(bytes, 2 * SLICE_BYTES) : bytes;
    }

    /** Refuses {@code r} with a sentence when its estimate does not fit {@code budget}. */
    static void check(Request r, int multiple, UNetConfig u, VaeConfig v, boolean fused, boolean sliced,
                      MemoryBudget budget) throws InvalidRequestException {
        Bytes need = of(r, multiple, u, v, fused, sliced);
        if (fits(need, budget)) return;
        boolean gpu = budget.deviceAvailable() != MemoryBudget.UNKNOWN;
        StringBuilder s = new StringBuilder("The size " + r.width() + "×" + r.height()
                + (r.batchSize() > 1 ? " with batch size " + r.batchSize() : "") + " needs about "
                + gb(need.nativeBytes()) + (gpu ? " of GPU memory" : " of memory") + " and " + gb(need.heapBytes())
                + " of Java heap, but " + (gpu ? gb(budget.deviceAvailable()) + " of GPU memory and "
                : budget.ramAvailable() == MemoryBudget.UNKNOWN ? "" : gb(budget.ramAvailable()) + " of memory and ")
                + gb(budget.heapFree()) + " of heap are available. ");
        int side = largestSquare(r, multiple, u, v, fused, sliced, budget);
        s.append(side > 0 ? "At most " + side + "×" + side + " fits with batch size 1; choose a smaller size or batch."
                : gpu ? "Close other programs using the GPU, or use a GPU with more memory."
                : "Close other programs or give Java more memory (-Xmx).");
        throw new InvalidRequestException(s.toString());
    }

    private static boolean fits(Bytes need, MemoryBudget budget) {
        return need.heapBytes() <= budget.heapFree()
                && (budget.ramAvailable() == MemoryBudget.UNKNOWN || need.nativeBytes() <= budget.ramAvailable())
                && (budget.deviceAvailable() == MemoryBudget.UNKNOWN || need.nativeBytes() <= budget.deviceAvailable());
    }

    /** The largest square side (a multiple of {@code multiple}) that fits one image, or 0. */
    private static int largestSquare(Request r, int multiple, UNetConfig u, VaeConfig v, boolean fused,
                                     boolean sliced, MemoryBudget budget) {
        int best = 0;
        for (int side = multiple; side <= Math.max(r.width(), r.height()); side += multiple) {
            Request small = r.toBuilder().size(side, side).batchSize(1).batchCount(1).build();
            if (!fits(of(small, multiple, u, v, fused, sliced), budget)) break;
            best = side;
        }
        return best;
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
