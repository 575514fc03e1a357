package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.runtime.TorchOps;

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
    private final boolean bf16;

    private Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads, boolean bf16) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.bf16 = bf16;
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
                heads, p.bf16());
    }

    public NDArray forward(NDArray x, NDArray context) { // x [B, Lq, C], context [B, Lk, Cctx] -> [B, Lq, C]
        return ScopedCall.run(() -> {
            NDArray q = splitHeads(toQ.forward(x));       // [B, h, Lq, d]
            NDArray k = splitHeads(toK.forward(context)); // [B, h, Lk, d]
            NDArray v = splitHeads(toV.forward(context)); // [B, h, Lk, d]
            NDArray o = scaledDotProduct(q, k, v, false, bf16); // [B, h, Lq, d]
            Shape s = o.getShape();
            return toOut.forward(o.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3)));
        });
    }

    private NDArray splitHeads(NDArray t) { // [B, L, h*d] -> [B, h, L, d]
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /**
     * softmax(Q Kᵀ / sqrt(d)) V for [B, heads, L, d] tensors → [B, heads, Lq, d]. The single place where attention is
     * computed: libtorch's fused kernel by default, else explicit math (see {@link AttentionKernel}).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v) {
        return scaledDotProduct(q, k, v, false);
    }

    /**
     * {@link #scaledDotProduct(NDArray, NDArray, NDArray)}, with {@code causal}: query i attends to keys 0..i only
     * (self-attention, Lq = Lk; the text encoder's).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, boolean causal) {
        return scaledDotProduct(q, k, v, causal, false);
    }

    /**
     * {@link #scaledDotProduct(NDArray, NDArray, NDArray, boolean)}; {@code bf16}: a network in bfloat16 compute, whose
     * (non-causal) attention the native kernel then also computes in bfloat16 (float32 in and out).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, boolean causal, boolean bf16) {
        switch (AttentionKernel.selected()) {
            case NATIVE:
                if (TorchOps.available()) {
                    if (causal) return TorchOps.sdpaCausal(q, k, v);
                    return bf16 ? TorchOps.sdpaBf16(q, k, v) : TorchOps.sdpa(q, k, v);
                }
                return SlicedAttention.apply(q, k, v, causal);
            case SLICED:
                return SlicedAttention.apply(q, k, v, causal);
            default:
                // The whole score matrix at once: one slice of all query rows.
                return SlicedAttention.apply(q, k, v, Math.toIntExact(q.getShape().get(2)), causal);
        }
    }
}
