package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.runtime.TorchOps;

/** Fully connected layer over the last axis ({@code torch.nn.Linear}), bias optional. */
public final class Linear {
    private final WeightSlot weight; // [out, in]; bfloat16 when bf16
    private final NDArray bias;   // [out] or null
    private final boolean bf16;

    private Linear(WeightSlot weight, NDArray bias, boolean bf16) {
        this.weight = weight;
        this.bias = bias;
        this.bf16 = bf16;
    }

    public static Linear load(Parameters p, long in, long out) throws InvalidCheckpointException {
        return new Linear(p.slot("weight", out, in), p.kernel("bias", out), p.bf16());
    }

    public static Linear loadWithoutBias(Parameters p, long in, long out) throws InvalidCheckpointException {
        return new Linear(p.slot("weight", out, in), null, p.bf16());
    }

    public NDArray forward(NDArray x) { // [..., in] -> [..., out]
        if (bf16) return TorchOps.linearBf16(x, weight.get(), bias);
        return x.getNDArrayInternal().linear(x, weight.get(), bias).singletonOrThrow();
    }
}
