package org.diffusej.engine.weights;

import ai.djl.ndarray.types.Shape;

/**
 * One tensor's header entry, validated.
 *
 * @param name   key in the file
 * @param dtype  element type
 * @param shape  dimensions (empty for a scalar)
 * @param begin  byte offset of the data, relative to the end of the header
 * @param end    exclusive end offset
 */
public record TensorInfo(String name, TensorDType dtype, long[] shape, long begin, long end) {
    public long byteLength() { return end - begin; }

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public Shape djlShape() { return new Shape(shape); }
}
