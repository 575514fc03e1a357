package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** Fully connected layer over the last axis ({@code torch.nn.Linear}), bias optional. */
public final class Linear {
    private final NDArray weight; // [out, in]
    private final NDArray bias;   // [out] or null

    private Linear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public static Linear load(Parameters p, long in, long out) throws InvalidCheckpointException {
        return new Linear(p.get("weight", out, in), p.get("bias", out));
    }

    public static Linear loadWithoutBias(Parameters p, long in, long out) throws InvalidCheckpointException {
        return new Linear(p.get("weight", out, in), null);
    }

    public NDArray forward(NDArray x) { // [..., in] -> [..., out]
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }
}
