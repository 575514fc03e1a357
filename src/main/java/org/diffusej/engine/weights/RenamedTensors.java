package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tensors of one or more safetensors files under internal names: the lookup shared by the weight sources that
 * rename at open (a diffusers folder, a TAESD file pair or folder).
 */
abstract class RenamedTensors implements WeightSource {

    /** Where an internal name is stored, and its internal shape (a stored tensor of another rank is reshaped on load). */
    record Entry(SafetensorsFile file, String key, long[] shape) {
        /** An entry whose internal shape is the stored one. */
        static Entry stored(SafetensorsFile file, String key) {
            return new Entry(file, key, file.info(key).shape());
        }
    }

    private final Path where;
    private final List<SafetensorsFile> files;
    private final Map<String, Entry> entries;

    /** @param where the file or folder the tensors came from, for messages */
    RenamedTensors(Path where, List<SafetensorsFile> files, Map<String, Entry> entries) {
        this.where = where;
        this.files = Collections.unmodifiableList(files);
        this.entries = Collections.unmodifiableMap(entries);
    }

    /** The user-facing sentence for a tensor {@code name} that is not there. */
    abstract String missing(String name);

    @Override public Set<String> names() { return entries.keySet(); }

    @Override public boolean contains(String name) { return entries.containsKey(name); }

    @Override
    public long[] shape(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no tensor '" + name + "' in " + where);
        return e.shape().clone();
    }

    @Override
    public NDArray load(String name, NDManager manager) throws InvalidCheckpointException {
        Entry e = entry(name);
        return shaped(e.file().load(e.key(), manager), e);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws InvalidCheckpointException {
        Entry e = entry(name);
        return shaped(e.file().load(e.key(), manager, type), e);
    }

    private Entry entry(String name) throws InvalidCheckpointException {
        Entry e = entries.get(name);
        if (e == null) throw new InvalidCheckpointException(missing(name));
        return e;
    }

    private static NDArray shaped(NDArray a, Entry e) {
        return a.getShape().dimension() == e.shape().length ? a : a.reshape(new Shape(e.shape()));
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
