package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.Set;

/** A single {@code .safetensors} file whose keys already are internal names (an LDM single-file checkpoint). */
public final class SafetensorsWeightSource implements WeightSource {
    private final SafetensorsFile file;

    public SafetensorsWeightSource(SafetensorsFile file) {
        this.file = file;
    }

    public SafetensorsFile file() { return file; }

    @Override public Set<String> names() { return file.names(); }
    @Override public boolean contains(String name) { return file.contains(name); }
    @Override public long[] shape(String name) { return file.info(name).shape().clone(); }

    @Override
    public NDArray load(String name, NDManager manager) throws InvalidCheckpointException {
        if (!file.contains(name))
            throw new InvalidCheckpointException("The checkpoint " + file.path() + " has no tensor '" + name + "'.");
        return file.load(name, manager);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws InvalidCheckpointException {
        if (!file.contains(name))
            throw new InvalidCheckpointException("The checkpoint " + file.path() + " has no tensor '" + name + "'.");
        return file.load(name, manager, type);
    }

    @Override public void close() { file.close(); }
}
