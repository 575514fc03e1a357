package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/** One array a sampler keeps from one step to the next, outside the denoising loop's per-step {@link NDScope}. */
final class HeldArray {
    private NDArray value;

    /** Keeps a copy of {@code a} (null clears), closing the previous one. */
    void set(NDArray a) {
        clear();
        if (a == null) return;
        value = a.duplicate();
        NDScope.unregister(value);
    }

    /** The kept array, or null. */
    NDArray get() {
        return value;
    }

    void clear() {
        if (value != null) value.close();
        value = null;
    }
}
