package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.Arrays;
import java.util.Map;

/**
 * Where layers get their weights: tensors of a {@link WeightSource} under a name prefix, checked against the shape
 * the layer expects and cast to the network's precision; or, for {@code parameterShapes}, a recorder of the
 * names and shapes a network would load (it then returns no arrays).
 */
public final class Parameters {
    private final WeightSource source;
    private final NDManager manager;
    private final DataType dtype;
    private final Map<String, long[]> recorded;
    private final String prefix;

    private Parameters(WeightSource source, NDManager manager, DataType dtype, Map<String, long[]> recorded,
                       String prefix) {
        this.source = source;
        this.manager = manager;
        this.dtype = dtype;
        this.recorded = recorded;
        this.prefix = prefix;
    }

    /** Loads from {@code source} into {@code manager} as {@code dtype} (FLOAT32 or FLOAT16). */
    public static Parameters loading(WeightSource source, NDManager manager, DataType dtype, String prefix) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16)
            throw new IllegalArgumentException("network precision must be FLOAT32 or FLOAT16, not " + dtype);
        return new Parameters(source, manager, dtype, null, prefix);
    }

    /** Records every requested name (with prefix) and its expected shape into {@code out}; loads nothing. */
    public static Parameters recording(Map<String, long[]> out, String prefix) {
        return new Parameters(null, null, DataType.FLOAT32, out, prefix);
    }

    public Parameters child(String name) {
        return new Parameters(source, manager, dtype, recorded, prefix + name + ".");
    }

    public DataType dtype() { return dtype; }

    /**
     * The tensor {@code prefix + name}, which must have {@code shape}; null while recording.
     *
     * @throws InvalidCheckpointException if it is missing or shaped differently (the checkpoint does not fit the
     *                                    network configuration)
     */
    public NDArray get(String name, long... shape) throws InvalidCheckpointException {
        String full = prefix + name;
        if (recorded != null) {
            recorded.put(full, shape.clone());
            return null;
        }
        if (!source.contains(full))
            throw new InvalidCheckpointException("The checkpoint has no tensor '" + full
                    + "' that this network configuration needs; is it a different model type?");
        long[] actual = source.shape(full);
        if (!Arrays.equals(actual, shape))
            throw new InvalidCheckpointException("Tensor '" + full + "' has shape " + Arrays.toString(actual)
                    + " but the network configuration expects " + Arrays.toString(shape) + ".");
        NDArray a = source.load(full, manager, dtype);
        NDScope.unregister(a); // weights live as long as the network, even when it is loaded inside a scope
        return a;
    }
}
