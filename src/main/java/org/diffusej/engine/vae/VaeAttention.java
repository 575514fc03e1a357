package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.nn.Attention;
import org.diffusej.engine.nn.Conv2d;
import org.diffusej.engine.nn.GroupNorm;
import org.diffusej.engine.nn.Parameters;
import org.diffusej.engine.nn.ScopedCall;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** The autoencoder's single-head mid-block self-attention ({@code attn_1}; q, k, v, proj_out are 1×1 convs). */
final class VaeAttention {
    private final GroupNorm norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d projOut;
    private final boolean bf16;

    private VaeAttention(GroupNorm norm, Conv2d q, Conv2d k, Conv2d v, Conv2d projOut, boolean bf16) {
        this.norm = norm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.projOut = projOut;
        this.bf16 = bf16;
    }

    static VaeAttention load(Parameters p, long channels, int groups) throws InvalidCheckpointException {
        return new VaeAttention(GroupNorm.load(p.child("norm"), groups, channels, Vae.NORM_EPS),
                Conv2d.load(p.child("q"), channels, channels, 1, 1),
                Conv2d.load(p.child("k"), channels, channels, 1, 1),
                Conv2d.load(p.child("v"), channels, channels, 1, 1),
                Conv2d.load(p.child("proj_out"), channels, channels, 1, 1), p.bf16());
    }

    NDArray forward(NDArray x) { // [N, C, H, W]
        return ScopedCall.run(() -> {
            Shape s = x.getShape();
            NDArray h = norm.forward(x);
            NDArray o = Attention.scaledDotProduct(tokens(q.forward(h)), tokens(k.forward(h)), tokens(v.forward(h)),
                    false, bf16);
            NDArray spatial = o.squeeze(1).transpose(0, 2, 1).reshape(s);              // [N, C, H, W]
            return projOut.forward(spatial).add(x);
        });
    }

    private static NDArray tokens(NDArray t) { // [N, C, H, W] -> [N, 1, HW, C]
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1).expandDims(1);
    }
}
