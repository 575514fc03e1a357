package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;

/** SiLU (swish) activation x·sigmoid(x). */
public final class Silu {
    private Silu() { }

    public static NDArray apply(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }
}
