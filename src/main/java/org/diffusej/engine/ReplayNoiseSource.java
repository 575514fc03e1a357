package org.diffusej.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/** Hands out recorded noise tensors in order; a draw with an unexpected shape or past the end fails fast. */
final class ReplayNoiseSource implements NoiseSource {
    private final List<NDArray> recorded;
    private int next;

    ReplayNoiseSource(List<NDArray> recorded) {
        this.recorded = List.copyOf(recorded);
    }

    @Override
    public NDArray next(Shape shape, NDManager manager) {
        if (next >= recorded.size())
            throw new IllegalStateException("noise draw " + next + " " + shape + " but only " + recorded.size() + " recorded");
        NDArray r = recorded.get(next);
        if (r.getShape().size() != shape.size())
            throw new IllegalStateException("noise draw " + next + " wants " + shape + ", recorded " + r.getShape());
        next++;
        NDArray copy = manager.create(r.toFloatArray(), shape);
        return copy;
    }

    /** How many recorded tensors were handed out. */
    int used() {
        return next;
    }
}
