package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.function.Supplier;

/**
 * Runs a computation in its own {@link NDScope}: every intermediate array it creates is closed when it returns,
 * its result survives and joins the enclosing scope (if any). Used per network block so peak memory stays at one
 * block's intermediates and repeated forwards do not grow.
 */
public final class ScopedCall {
    private ScopedCall() { }

    public static NDArray run(Supplier<NDArray> body) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            result = body.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }

    /**
     * {@code a + b}, closing {@code a} (an intermediate nothing else needs). Not {@code a.addi(b)}: outputs of
     * {@link org.diffusej.engine.runtime.TorchOps} are libtorch inference tensors, which refuse in-place updates.
     */
    public static NDArray addAndClose(NDArray a, NDArray b) {
        NDArray sum = a.add(b);
        a.close();
        return sum;
    }
}
