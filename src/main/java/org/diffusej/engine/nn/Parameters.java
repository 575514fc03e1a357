package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffusej.engine.runtime.TorchOps;

/**
 * Where layers get their weights: tensors of a {@link WeightSource} under a name prefix, checked against the shape
 * the layer expects and cast to the network's precision; or, for {@code parameterShapes}, a recorder of the
 * names and shapes a network would load (it then returns no arrays).
 *
 * <p>Precision BFLOAT16 means bfloat16 compute on the CPU: activations and norm parameters stay float32 ({@link
 * #dtype()}), while convolution and linear weights ({@link #kernel}) are held in bfloat16 by libtorch and used by
 * {@link TorchOps}' bf16 ops, which take and return float32. DJL itself never computes in bfloat16.
 */
public final class Parameters {
    private final WeightSource source;
    private final NDManager manager;
    private final DataType dtype;
    private final boolean bf16;
    private final Map<String, long[]> recorded;
    private final String prefix;
    private final Map<String, WeightSlot> slots;

    private Parameters(WeightSource source, NDManager manager, DataType dtype, boolean bf16,
                       Map<String, long[]> recorded, String prefix, Map<String, WeightSlot> slots) {
        this.slots = slots;
        this.source = source;
        this.manager = manager;
        this.dtype = dtype;
        this.bf16 = bf16;
        this.recorded = recorded;
        this.prefix = prefix;
    }

    /** Loads from {@code source} into {@code manager} for {@code precision} (FLOAT32, FLOAT16 or BFLOAT16). */
    public static Parameters loading(WeightSource source, NDManager manager, DataType precision, String prefix) {
        return loading(source, manager, precision, prefix, new LinkedHashMap<>());
    }

    /** Like {@link #loading(WeightSource, NDManager, DataType, String)}, collecting {@link #slot}s into {@code slots}. */
    public static Parameters loading(WeightSource source, NDManager manager, DataType precision, String prefix,
                                     Map<String, WeightSlot> slots) {
        if (precision != DataType.FLOAT32 && precision != DataType.FLOAT16 && precision != DataType.BFLOAT16)
            throw new IllegalArgumentException("network precision must be FLOAT32, FLOAT16 or BFLOAT16, not " + precision);
        boolean bf16 = precision == DataType.BFLOAT16;
        if (bf16 && !TorchOps.available())
            throw new IllegalStateException("bfloat16 compute needs libtorch's native ops: " + TorchOps.status());
        return new Parameters(source, manager, activationType(precision), bf16, null, prefix, slots);
    }

    /** The type of a network's activations (and of {@link #get}'s arrays) at {@code precision}. */
    private static DataType activationType(DataType precision) {
        return precision == DataType.BFLOAT16 ? DataType.FLOAT32 : precision;
    }

    /** Records every requested name (with prefix) and its expected shape into {@code out}; loads nothing. */
    public static Parameters recording(Map<String, long[]> out, String prefix) {
        return new Parameters(null, null, DataType.FLOAT32, false, out, prefix, null);
    }

    public Parameters child(String name) {
        return new Parameters(source, manager, dtype, bf16, recorded, prefix + name + ".", slots);
    }

    /** The weight slots registered so far by this loading and its children, by full name (null while recording). */
    public Map<String, WeightSlot> slots() { return slots == null ? null : Collections.unmodifiableMap(slots); }

    /** The type of activations and of {@link #get}'s arrays (FLOAT32 in bfloat16 compute). */
    public DataType dtype() { return dtype; }

    /** True when convolutions and linear layers compute in bfloat16 (their {@link #kernel}s are bfloat16). */
    public boolean bf16() { return bf16; }

    /**
     * A convolution or linear layer's weight or bias: like {@link #get}, but held in bfloat16 for bfloat16 compute
     * (an array DJL must only pass to {@link TorchOps}).
     */
    public NDArray kernel(String name, long... shape) throws InvalidCheckpointException {
        NDArray a = get(name, shape);
        if (a == null || !bf16) return a;
        NDArray narrow = TorchOps.toBf16(a);
        NDScope.unregister(narrow);
        a.close();
        return narrow;
    }

    /**
     * A convolution or linear weight as a {@link WeightSlot} (a {@link #kernel} that LoRAs can patch), registered
     * under its full name with the slots of this loading; null while recording.
     */
    public WeightSlot slot(String name, long... shape) throws InvalidCheckpointException {
        NDArray a = kernel(name, shape);
        if (a == null) return null;
        WeightSlot s = new WeightSlot(prefix + name, shape, a, source, dtype, bf16);
        slots.put(s.name(), s);
        return s;
    }

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
