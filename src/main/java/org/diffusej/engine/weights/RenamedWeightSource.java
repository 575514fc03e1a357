package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Another weight source seen under renamed prefixes: for single files that store a part under older names, e.g.
 * SD1 files written before transformers added {@code text_model.} ({@code cond_stage_model.transformer.embeddings.*}).
 */
public final class RenamedWeightSource implements WeightSource {
    private final WeightSource inner;
    private final Map<String, String> storedByInternal;

    /** Every name of {@code inner} that starts with a key of {@code storedToInternalPrefix} gets that prefix replaced. */
    public RenamedWeightSource(WeightSource inner, Map<String, String> storedToInternalPrefix) {
        this.inner = inner;
        Map<String, String> names = new LinkedHashMap<>();
        for (String stored : inner.names()) {
            String internal = stored;
            for (Map.Entry<String, String> p : storedToInternalPrefix.entrySet())
                if (stored.startsWith(p.getKey())) {
                    internal = p.getValue() + stored.substring(p.getKey().length());
                    break;
                }
            names.put(internal, stored);
        }
        this.storedByInternal = Collections.unmodifiableMap(names);
    }

    @Override public Set<String> names() { return storedByInternal.keySet(); }

    @Override public boolean contains(String name) { return storedByInternal.containsKey(name); }

    @Override
    public long[] shape(String name) {
        String stored = storedByInternal.get(name);
        if (stored == null) throw new IllegalArgumentException("no tensor '" + name + "'");
        return inner.shape(stored);
    }

    @Override
    public NDArray load(String name, NDManager manager) throws InvalidCheckpointException {
        String stored = storedByInternal.get(name);
        if (stored == null) throw new InvalidCheckpointException("The checkpoint has no tensor '" + name + "'.");
        return inner.load(stored, manager);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws InvalidCheckpointException {
        String stored = storedByInternal.get(name);
        if (stored == null) throw new InvalidCheckpointException("The checkpoint has no tensor '" + name + "'.");
        return inner.load(stored, manager, type);
    }

    @Override public void close() { inner.close(); }
}
