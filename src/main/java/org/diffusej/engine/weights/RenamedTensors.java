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
final class RenamedTensors {

    /** Where an internal name is stored, and its internal shape (a stored tensor of another rank is reshaped on load). */
    record Entry(SafetensorsFile file, String key, long[] shape) {
        /** An entry whose internal shape is the stored one. */
        static Entry stored(SafetensorsFile file, String key) {
            return new Entry(file, key, file.info(key).shape());
        }
    }

    private final List<SafetensorsFile> files;
    private final Map<String, Entry> entries;

    RenamedTensors(List<SafetensorsFile> files, Map<String, Entry> entries) {
        this.files = Collections.unmodifiableList(files);
        this.entries = Collections.unmodifiableMap(entries);
    }

    Set<String> names() { return entries.keySet(); }

    boolean contains(String name) { return entries.containsKey(name); }

    /** The internal shape of {@code name}; a name that is not there is a programming error naming {@code where}. */
    long[] shape(String name, Path where) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no tensor '" + name + "' in " + where);
        return e.shape().clone();
    }

    /** The entry of {@code name}, or null. */
    Entry get(String name) { return entries.get(name); }

    /** Loads {@code e} in its stored type ({@code type} null) or converted to {@code type}, in its internal shape. */
    static NDArray load(Entry e, NDManager manager, DataType type) throws InvalidCheckpointException {
        NDArray a = type == null ? e.file().load(e.key(), manager) : e.file().load(e.key(), manager, type);
        return a.getShape().dimension() == e.shape().length ? a : a.reshape(new Shape(e.shape()));
    }

    void close() {
        files.forEach(SafetensorsFile::close);
    }
}
