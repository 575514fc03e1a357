package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** Doubles H and W: nearest-neighbour 2× upsampling, then a 3×3 convolution ({@code conv}). */
public final class Upsample {
    private final Conv2d conv;

    private Upsample(Conv2d conv) {
        this.conv = conv;
    }

    public static Upsample load(Parameters p, long channels) throws InvalidCheckpointException {
        return new Upsample(Conv2d.load(p.child("conv"), channels, channels, 3, 1));
    }

    public NDArray forward(NDArray x) { // [N, C, H, W] -> [N, C, 2H, 2W]
        return ScopedCall.run(() -> conv.forwardAndClose(nearest2x(x)));
    }

    /** Nearest-neighbour 2× upsampling of [N, C, H, W]. */
    public static NDArray nearest2x(NDArray x) {
        Shape s = x.getShape();
        return x.getNDArrayInternal().interpolation(new long[] {s.get(2) * 2, s.get(3) * 2}, 0, false);
    }
}
