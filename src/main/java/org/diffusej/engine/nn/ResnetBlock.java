package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.weights.InvalidCheckpointException;

/**
 * The UNet residual block ({@code ResBlock}): norm, SiLU, 3×3 conv ({@code in_layers}); plus the projected time
 * embedding ({@code emb_layers}); norm, SiLU, 3×3 conv ({@code out_layers}); residual through a 1×1
 * {@code skip_connection} when the channel count changes.
 */
public final class ResnetBlock {
    private static final float NORM_EPS = 1e-5f;
    private final GroupNorm inNorm;
    private final Conv2d inConv;
    private final Linear embProj;
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    private final Conv2d skip; // null: identity

    private ResnetBlock(GroupNorm inNorm, Conv2d inConv, Linear embProj, GroupNorm outNorm, Conv2d outConv,
                        Conv2d skip) {
        this.inNorm = inNorm;
        this.inConv = inConv;
        this.embProj = embProj;
        this.outNorm = outNorm;
        this.outConv = outConv;
        this.skip = skip;
    }

    public static ResnetBlock load(Parameters p, long in, long out, long embDim, int normGroups)
            throws InvalidCheckpointException {
        return new ResnetBlock(
                GroupNorm.load(p.child("in_layers").child("0"), normGroups, in, NORM_EPS),
                Conv2d.load(p.child("in_layers").child("2"), in, out, 3, 1),
                Linear.load(p.child("emb_layers").child("1"), embDim, out),
                GroupNorm.load(p.child("out_layers").child("0"), normGroups, out, NORM_EPS),
                Conv2d.load(p.child("out_layers").child("3"), out, out, 3, 1),
                in == out ? null : Conv2d.load(p.child("skip_connection"), in, out, 1, 1));
    }

    public NDArray forward(NDArray x, NDArray emb) { // x [N, in, H, W], emb [N, embDim] -> [N, out, H, W]
        // Intermediates are closed as soon as they are consumed, so that at most three activation-sized tensors
        // besides x are alive (what bounds peak memory at large sizes). Sums are not taken in place: outputs of
        // the native ops are libtorch inference tensors, which refuse in-place updates.
        return ScopedCall.run(() -> {
            NDArray e = embProj.forward(Silu.apply(emb));     // [N, out]
            NDArray h = ScopedCall.addAndClose(inConv.forwardAndClose(inNorm.forwardSilu(x)),
                    e.expandDims(-1).expandDims(-1));
            NDArray out = outConv.forwardAndClose(outNorm.forwardSilu(h));
            h.close();
            return ScopedCall.addAndClose(out, skip == null ? x : skip.forward(x));
        });
    }
}
