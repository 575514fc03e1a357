package org.diffusej.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.weights.WeightSource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A {@link WeightSource} that invents float32 tensors for a given name → shape map, so that a network with the
 * real architecture can be built and timed without a download. Values keep activations of order 1: matrices and
 * kernels ~ N(0, 1/fan-in), 1-D {@code weight}s (norm scales) 1, 1-D {@code bias}es 0.
 */
public final class RandomWeights implements WeightSource {
    private final Map<String, long[]> shapes;

    /** Tensors named and shaped by {@code shapes} (internal names). */
    public RandomWeights(Map<String, long[]> shapes) {
        this.shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
    }

    /** The union of several shape maps (e.g. UNet, VAE and text encoder). */
    @SafeVarargs
    public static RandomWeights of(Map<String, long[]>... parts) {
        Map<String, long[]> all = new LinkedHashMap<>();
        for (Map<String, long[]> part : parts) {
            all.putAll(part);
        }
        return new RandomWeights(all);
    }

    /** Number of scalar parameters. */
    public long parameterCount() {
        long count = 0;
        for (long[] shape : shapes.values()) {
            count += new Shape(shape).size();
        }
        return count;
    }

    @Override
    public Set<String> names() {
        return shapes.keySet();
    }

    @Override
    public boolean contains(String name) {
        return shapes.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("no tensor named " + name);
        }
        return shape.clone();
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        Shape shape = new Shape(shape(name));
        if (shape.dimension() == 1 && name.endsWith("bias")) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        if (shape.dimension() == 1 && name.endsWith("weight")) {
            return manager.ones(shape, DataType.FLOAT32);
        }
        long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
        return manager.randomNormal(0, (float) (1 / Math.sqrt(Math.max(1, fanIn))), shape, DataType.FLOAT32);
    }

    @Override
    public void close() {
        // nothing is held open
    }
}
