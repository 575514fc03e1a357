package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.runtime.TorchOps;

/**
 * Group normalisation ({@code torch.nn.GroupNorm}) over [N, C, ...]. DJL has no group norm: libtorch's native
 * kernel is reached through {@link TorchOps}; without it the statistics come from libtorch's layer norm on
 * [N, G, C/G*spatial], then the per-channel affine, with half-precision input normalised in float32 (variance in
 * fp16 loses too much) and returned in its own type.
 */
public final class GroupNorm {
    private final int groups;
    private final float eps;
    private final NDArray weight; // [C]
    private final NDArray bias;   // [C]

    private GroupNorm(int groups, float eps, NDArray weight, NDArray bias) {
        this.groups = groups;
        this.eps = eps;
        this.weight = weight;
        this.bias = bias;
    }

    public static GroupNorm load(Parameters p, int groups, long channels, float eps)
            throws InvalidCheckpointException {
        if (channels % groups != 0)
            throw new IllegalArgumentException(channels + " channels cannot be split into " + groups + " groups");
        return new GroupNorm(groups, eps, p.get("weight", channels), p.get("bias", channels));
    }

    public NDArray forward(NDArray x) {
        return apply(x, groups, weight, bias, eps);
    }

    /** SiLU(group norm(x)), the ResNet blocks' pre-activation: one native call, one output tensor. */
    public NDArray forwardSilu(NDArray x) {
        return applySilu(x, groups, weight, bias, eps);
    }

    /** SiLU of {@link #apply}: libtorch's kernels in one native call, else the explicit form then SiLU. */
    public static NDArray applySilu(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        if (TorchOps.available()) {
            return TorchOps.groupNormSilu(x, groups, weight, bias, eps);
        }
        NDArray normed = explicit(x, groups, weight, bias, eps);
        NDArray out = Silu.apply(normed);
        normed.close();
        return out;
    }

    /** {@code torch.nn.functional.group_norm(x, groups, weight, bias, eps)}; x is [N, C, ...]. */
    public static NDArray apply(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        if (TorchOps.available()) {
            return TorchOps.groupNorm(x, groups, weight, bias, eps); // libtorch's kernel, ~4x the explicit form
        }
        return explicit(x, groups, weight, bias, eps);
    }

    /** The statistics through layer norm on [N, G, C/G*spatial]; used when the native op is unavailable. */
    static NDArray explicit(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        return ScopedCall.run(() -> {
            Shape shape = x.getShape();
            long n = shape.get(0);
            long c = shape.get(1);
            DataType type = x.getDataType();
            NDArray grouped = x.toType(DataType.FLOAT32, false).reshape(n, groups, -1); // [N, G, C/G*spatial]
            Shape groupShape = new Shape(grouped.getShape().get(2));
            NDArray ones = x.getManager().ones(groupShape);
            NDArray zeros = x.getManager().zeros(groupShape);
            NDArray normed = grouped.getNDArrayInternal()
                    .layerNorm(grouped, groupShape, ones, zeros, eps).singletonOrThrow().reshape(shape);
            long[] channelShape = new long[shape.dimension()];
            java.util.Arrays.fill(channelShape, 1);
            channelShape[1] = c;
            Shape affine = new Shape(channelShape);                                          // [1, C, 1, ...]
            NDArray out = normed.mul(weight.toType(DataType.FLOAT32, false).reshape(affine))
                    .add(bias.toType(DataType.FLOAT32, false).reshape(affine));
            return out.toType(type, false);
        });
    }
}
