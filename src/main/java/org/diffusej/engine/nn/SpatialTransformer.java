package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;

import java.util.ArrayList;
import java.util.List;

/**
 * The UNet's attention block: group norm, projection in (1×1 conv for SD1, linear for SD2's
 * {@code use_linear_in_transformer}), transformer blocks over the H·W tokens, projection out, residual.
 */
public final class SpatialTransformer {
    private static final float NORM_EPS = 1e-6f;
    private final GroupNorm norm;
    private final boolean linearProjection;
    private final Conv2d convIn;
    private final Conv2d convOut;
    private final Linear linearIn;
    private final Linear linearOut;
    private final List<BasicTransformerBlock> blocks;

    private SpatialTransformer(GroupNorm norm, boolean linearProjection, Conv2d convIn, Conv2d convOut,
                               Linear linearIn, Linear linearOut, List<BasicTransformerBlock> blocks) {
        this.norm = norm;
        this.linearProjection = linearProjection;
        this.convIn = convIn;
        this.convOut = convOut;
        this.linearIn = linearIn;
        this.linearOut = linearOut;
        this.blocks = blocks;
    }

    public static SpatialTransformer load(Parameters p, long channels, long contextDim, int heads, int depth,
                                          boolean linearProjection, int normGroups)
            throws InvalidCheckpointException {
        GroupNorm norm = GroupNorm.load(p.child("norm"), normGroups, channels, NORM_EPS);
        List<BasicTransformerBlock> blocks = new ArrayList<>();
        Parameters bp = p.child("transformer_blocks");
        for (int i = 0; i < depth; i++)
            blocks.add(BasicTransformerBlock.load(bp.child(Integer.toString(i)), channels, contextDim, heads));
        if (linearProjection)
            return new SpatialTransformer(norm, true, null, null,
                    Linear.load(p.child("proj_in"), channels, channels),
                    Linear.load(p.child("proj_out"), channels, channels), blocks);
        return new SpatialTransformer(norm, false,
                Conv2d.load(p.child("proj_in"), channels, channels, 1, 1),
                Conv2d.load(p.child("proj_out"), channels, channels, 1, 1), null, null, blocks);
    }

    public NDArray forward(NDArray x, NDArray context) { // x [B, C, H, W], context [B, L, Cctx]
        return ScopedCall.run(() -> {
            Shape s = x.getShape();
            long b = s.get(0), c = s.get(1), hw = s.get(2) * s.get(3);
            NDArray h = norm.forward(x);
            if (!linearProjection) h = convIn.forward(h);
            h = h.reshape(b, c, hw).transpose(0, 2, 1);                  // [B, HW, C]
            if (linearProjection) h = linearIn.forward(h);
            for (BasicTransformerBlock block : blocks) h = block.forward(h, context);
            if (linearProjection) h = linearOut.forward(h);
            h = h.transpose(0, 2, 1).reshape(s);                          // [B, C, H, W]
            if (!linearProjection) h = convOut.forward(h);
            return h.add(x);
        });
    }
}
