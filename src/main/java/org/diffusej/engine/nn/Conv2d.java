package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** 2-D convolution with square kernel, stride and symmetric zero padding ({@code torch.nn.Conv2d}). */
public final class Conv2d {
    private final NDArray weight; // [out, in, k, k]
    private final NDArray bias;   // [out]
    private final Shape stride;
    private final Shape padding;

    private Conv2d(NDArray weight, NDArray bias, int stride, int padding) {
        this.weight = weight;
        this.bias = bias;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** Loads {@code weight [out,in,k,k]} and {@code bias [out]}; padding k/2 ("same" at stride 1). */
    public static Conv2d load(Parameters p, long in, long out, int kernel, int stride)
            throws InvalidCheckpointException {
        return load(p, in, out, kernel, stride, kernel / 2);
    }

    public static Conv2d load(Parameters p, long in, long out, int kernel, int stride, int padding)
            throws InvalidCheckpointException {
        return new Conv2d(p.get("weight", out, in, kernel, kernel), p.get("bias", out), stride, padding);
    }

    public NDArray forward(NDArray x) { // [N, in, H, W] -> [N, out, H', W']
        return x.getNDArrayInternal()
                .convolution(x, weight, bias, stride, padding, new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /** {@link #forward}, then closes {@code x}: for inputs nothing else needs, so large maps do not pile up. */
    public NDArray forwardAndClose(NDArray x) {
        NDArray y = forward(x);
        x.close();
        return y;
    }
}
