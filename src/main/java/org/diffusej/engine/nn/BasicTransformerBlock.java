package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** Pre-norm transformer block: self-attention, cross-attention to the text context, GEGLU feed-forward. */
public final class BasicTransformerBlock {
    private static final float LAYER_NORM_EPS = 1e-5f;
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final GegluFeedForward ff;

    private BasicTransformerBlock(LayerNorm norm1, Attention attn1, LayerNorm norm2, Attention attn2,
                                  LayerNorm norm3, GegluFeedForward ff) {
        this.norm1 = norm1;
        this.attn1 = attn1;
        this.norm2 = norm2;
        this.attn2 = attn2;
        this.norm3 = norm3;
        this.ff = ff;
    }

    public static BasicTransformerBlock load(Parameters p, long channels, long contextDim, int heads)
            throws InvalidCheckpointException {
        return new BasicTransformerBlock(
                LayerNorm.load(p.child("norm1"), channels, LAYER_NORM_EPS),
                Attention.load(p.child("attn1"), channels, channels, heads),
                LayerNorm.load(p.child("norm2"), channels, LAYER_NORM_EPS),
                Attention.load(p.child("attn2"), channels, contextDim, heads),
                LayerNorm.load(p.child("norm3"), channels, LAYER_NORM_EPS),
                GegluFeedForward.load(p.child("ff"), channels));
    }

    public NDArray forward(NDArray x, NDArray context) { // x [B, L, C], context [B, Lc, Cctx]
        return ScopedCall.run(() -> {
            NDArray n1 = norm1.forward(x);
            NDArray h = attn1.forward(n1, n1).add(x);
            h = attn2.forward(norm2.forward(h), context).add(h);
            return ff.forward(norm3.forward(h)).add(h);
        });
    }
}
