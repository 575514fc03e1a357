package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** Halves H and W with a stride-2 3×3 convolution, padding 1 (the UNet's {@code op}). */
public final class Downsample {
    private final Conv2d op;

    private Downsample(Conv2d op) {
        this.op = op;
    }

    public static Downsample load(Parameters p, long channels) throws InvalidCheckpointException {
        return new Downsample(Conv2d.load(p.child("op"), channels, channels, 3, 2, 1));
    }

    public NDArray forward(NDArray x) { // [N, C, H, W] -> [N, C, H/2, W/2]
        return op.forward(x);
    }
}
