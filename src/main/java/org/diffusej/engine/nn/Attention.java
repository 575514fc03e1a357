package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;

/**
 * Multi-head attention of the LDM/diffusers transformer blocks ({@code to_q}, {@code to_k}, {@code to_v} without
 * bias, {@code to_out.0} with bias). Self-attention when the context is the input itself, cross-attention otherwise.
 */
public final class Attention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;

    private Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
    }

    /** Query from {@code queryDim} channels, keys/values from {@code contextDim}; {@code heads} heads over queryDim. */
    public static Attention load(Parameters p, long queryDim, long contextDim, int heads)
            throws InvalidCheckpointException {
        if (queryDim % heads != 0)
            throw new IllegalArgumentException(queryDim + " channels cannot be split into " + heads + " heads");
        return new Attention(
                Linear.loadWithoutBias(p.child("to_q"), queryDim, queryDim),
                Linear.loadWithoutBias(p.child("to_k"), contextDim, queryDim),
                Linear.loadWithoutBias(p.child("to_v"), contextDim, queryDim),
                Linear.load(p.child("to_out").child("0"), queryDim, queryDim),
                heads);
    }

    public NDArray forward(NDArray x, NDArray context) { // x [B, Lq, C], context [B, Lk, Cctx] -> [B, Lq, C]
        return ScopedCall.run(() -> {
            NDArray q = splitHeads(toQ.forward(x));       // [B, h, Lq, d]
            NDArray k = splitHeads(toK.forward(context)); // [B, h, Lk, d]
            NDArray v = splitHeads(toV.forward(context)); // [B, h, Lk, d]
            NDArray o = scaledDotProduct(q, k, v);        // [B, h, Lq, d]
            Shape s = o.getShape();
            return toOut.forward(o.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3)));
        });
    }

    private NDArray splitHeads(NDArray t) { // [B, L, h*d] -> [B, h, L, d]
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** Largest score matrix computed at once (B·heads·Lq·Lk elements, 64 Mi = 256 MiB in float32). */
    static final long MAX_SCORE_ELEMENTS = 64L << 20;

    /**
     * softmax(Q Kᵀ / sqrt(d)) V for [B, heads, L, d] tensors → [B, heads, Lq, d]. The single place where attention is
     * computed, so that a fused kernel can replace it. The softmax runs in float32 for half-precision inputs; long
     * queries are processed in slices so the score matrix stays under {@link #MAX_SCORE_ELEMENTS} (SD1 at 512×512
     * would otherwise hold 2×8×4096×4096 floats = 1 GiB per attention layer).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v) {
        return scaledDotProduct(q, k, v, MAX_SCORE_ELEMENTS);
    }

    static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, long maxScoreElements) {
        Shape s = q.getShape();
        long perQueryRow = s.get(0) * s.get(1) * k.getShape().get(2);
        long slice = Math.max(1, maxScoreElements / perQueryRow);
        long lq = s.get(2);
        if (slice >= lq) return explicitAttention(q, k, v);
        return ScopedCall.run(() -> {
            NDArray kt = k.transpose(0, 1, 3, 2);
            NDList parts = new NDList();
            for (long start = 0; start < lq; start += slice) {
                NDArray qs = q.get(new NDIndex(":, :, {}:{}", start, Math.min(lq, start + slice)));
                parts.add(ScopedCall.run(() -> attentionSlice(qs, kt, v)));
            }
            return NDArrays.concat(parts, 2);
        });
    }

    private static NDArray explicitAttention(NDArray q, NDArray k, NDArray v) {
        return ScopedCall.run(() -> attentionSlice(q, k.transpose(0, 1, 3, 2), v));
    }

    private static NDArray attentionSlice(NDArray q, NDArray kt, NDArray v) { // kt [B, h, d, Lk]
        double scale = 1.0 / Math.sqrt(q.getShape().get(3));
        NDArray scores = q.mul(scale).matMul(kt);                                          // [B, h, Lq, Lk]
        NDArray weights = scores.toType(DataType.FLOAT32, false).softmax(-1).toType(v.getDataType(), false);
        return weights.matMul(v);                                                         // [B, h, Lq, d]
    }
}
