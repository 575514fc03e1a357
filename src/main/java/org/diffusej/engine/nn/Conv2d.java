package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.runtime.TorchOps;

/** 2-D convolution with square kernel, stride and symmetric zero padding ({@code torch.nn.Conv2d}). */
public final class Conv2d {
    private final WeightSlot weight; // [out, in, k, k]; bfloat16 when bf16
    private final NDArray bias;   // [out]
    private final int stride;
    private final int padding;
    private final boolean bf16;

    private Conv2d(WeightSlot weight, NDArray bias, int stride, int padding, boolean bf16) {
        this.weight = weight;
        this.bias = bias;
        this.stride = stride;
        this.padding = padding;
        this.bf16 = bf16;
    }

    /** Loads {@code weight [out,in,k,k]} and {@code bias [out]}; padding k/2 ("same" at stride 1). */
    public static Conv2d load(Parameters p, long in, long out, int kernel, int stride)
            throws InvalidCheckpointException {
        return load(p, in, out, kernel, stride, kernel / 2);
    }

    public static Conv2d load(Parameters p, long in, long out, int kernel, int stride, int padding)
            throws InvalidCheckpointException {
        return new Conv2d(p.slot("weight", out, in, kernel, kernel), p.kernel("bias", out), stride, padding, p.bf16());
    }

    /** A convolution without bias ({@code bias=False}, e.g. TAESD's resampling convolutions); not for bf16 compute. */
    public static Conv2d loadWithoutBias(Parameters p, long in, long out, int kernel, int stride)
            throws InvalidCheckpointException {
        if (p.bf16()) throw new IllegalArgumentException("bias-free convolutions have no bfloat16 kernel");
        return new Conv2d(p.slot("weight", out, in, kernel, kernel), null, stride, kernel / 2, false);
    }

    public NDArray forward(NDArray x) { // [N, in, H, W] -> [N, out, H', W']
        if (bf16) return TorchOps.conv2dBf16(x, weight.get(), bias, stride, padding);
        return x.getNDArrayInternal()
                .convolution(x, weight.get(), bias, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    /** {@link #forward}, then closes {@code x}: for inputs nothing else needs, so large maps do not pile up. */
    public NDArray forwardAndClose(NDArray x) {
        NDArray y = forward(x);
        x.close();
        return y;
    }
}
