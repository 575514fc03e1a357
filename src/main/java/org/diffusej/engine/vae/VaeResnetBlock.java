package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.nn.Conv2d;
import org.diffusej.engine.nn.GroupNorm;
import org.diffusej.engine.nn.Parameters;
import org.diffusej.engine.nn.ScopedCall;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** The autoencoder's residual block (no time embedding): norm, SiLU, conv, twice; 1×1 {@code nin_shortcut}. */
final class VaeResnetBlock {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut; // null: identity

    private VaeResnetBlock(GroupNorm norm1, Conv2d conv1, GroupNorm norm2, Conv2d conv2, Conv2d shortcut) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortcut = shortcut;
    }

    static VaeResnetBlock load(Parameters p, long in, long out, int groups) throws InvalidCheckpointException {
        return new VaeResnetBlock(
                GroupNorm.load(p.child("norm1"), groups, in, Vae.NORM_EPS),
                Conv2d.load(p.child("conv1"), in, out, 3, 1),
                GroupNorm.load(p.child("norm2"), groups, out, Vae.NORM_EPS),
                Conv2d.load(p.child("conv2"), out, out, 3, 1),
                in == out ? null : Conv2d.load(p.child("nin_shortcut"), in, out, 1, 1));
    }

    NDArray forward(NDArray x) { // [N, in, H, W] -> [N, out, H, W]
        // Closing each intermediate once consumed keeps three activation-sized tensors besides x alive, not seven:
        // at 512² (256 channels, 268 MB each) that is the decoder's peak memory.
        return ScopedCall.run(() -> {
            NDArray h = conv1.forwardAndClose(norm1.forwardSilu(x));
            NDArray out = conv2.forwardAndClose(norm2.forwardSilu(h));
            h.close();
            return ScopedCall.addAndClose(out, shortcut == null ? x : shortcut.forward(x));
        });
    }
}
