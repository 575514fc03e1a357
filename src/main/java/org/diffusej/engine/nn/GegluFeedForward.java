package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.runtime.TorchOps;

/** The transformer feed-forward {@code ff.net}: GEGLU projection (x·gelu(gate), exact erf gelu), then a linear. */
public final class GegluFeedForward {
    private final Linear proj; // net.0.proj: C -> 2*inner
    private final Linear out;  // net.2: inner -> C

    private GegluFeedForward(Linear proj, Linear out) {
        this.proj = proj;
        this.out = out;
    }

    /** Inner width is 4×channels, as in SD's transformer blocks. */
    public static GegluFeedForward load(Parameters p, long channels) throws InvalidCheckpointException {
        long inner = 4 * channels;
        Parameters net = p.child("net");
        return new GegluFeedForward(Linear.load(net.child("0").child("proj"), channels, 2 * inner),
                Linear.load(net.child("2"), inner, channels));
    }

    public NDArray forward(NDArray x) { // [B, L, C]
        return ScopedCall.run(() -> {
            NDArray projected = proj.forward(x);                                   // [B, L, 2*inner]
            if (TorchOps.available()) return out.forward(TorchOps.geglu(projected)); // one native call
            NDList halves = projected.split(2, projected.getShape().dimension() - 1); // value, gate
            return out.forward(halves.get(0).mul(halves.get(1).getNDArrayInternal().gelu()));
        });
    }
}
