package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.InvalidCheckpointException;

/** Layer normalisation over the last axis ({@code torch.nn.LayerNorm}); half precision is normalised in float32. */
public final class LayerNorm {
    private final NDArray weight; // [C] float32
    private final NDArray bias;   // [C] float32
    private final Shape normalized;
    private final float eps;

    private LayerNorm(NDArray weight, NDArray bias, long channels, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.normalized = new Shape(channels);
        this.eps = eps;
    }

    public static LayerNorm load(Parameters p, long channels, float eps) throws InvalidCheckpointException {
        NDArray w = p.get("weight", channels);
        NDArray b = p.get("bias", channels);
        // kept in float32: they are tiny and the statistics are computed in float32 anyway
        return new LayerNorm(asFloat32(w), asFloat32(b), channels, eps);
    }

    private static NDArray asFloat32(NDArray a) {
        if (a == null || a.getDataType() == DataType.FLOAT32) return a;
        NDArray f = a.toType(DataType.FLOAT32, false);
        NDScope.unregister(f);
        return f;
    }

    public NDArray forward(NDArray x) { // [..., C]
        return ScopedCall.run(() -> {
            NDArray xf = x.toType(DataType.FLOAT32, false);
            NDArray y = xf.getNDArrayInternal().layerNorm(xf, normalized, weight, bias, eps).singletonOrThrow();
            return y.toType(x.getDataType(), false);
        });
    }
}
