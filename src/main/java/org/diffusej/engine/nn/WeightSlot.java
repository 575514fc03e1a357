package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.runtime.TorchOps;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

/**
 * A convolution or linear weight that may be replaced for a while (a LoRA merged into it) and restored exactly.
 * The loaded base array is never modified: a patch is computed from the weight source's stored tensor (the
 * memory-mapped file; a float32 base is those values already) plus a float32 delta and held beside the base;
 * {@link #restore} drops it and the base is in
 * use again, bit for bit. Only patched weights cost memory (one copy each, in the network's precision).
 */
public final class WeightSlot {
    private final String name;
    private final long[] shape;
    private final NDArray base;
    private final WeightSource source;
    private final DataType dtype;
    private final boolean bf16;
    private volatile NDArray current;

    WeightSlot(String name, long[] shape, NDArray base, WeightSource source, DataType dtype, boolean bf16) {
        this.name = name;
        this.shape = shape.clone();
        this.base = base;
        this.source = source;
        this.dtype = dtype;
        this.bf16 = bf16;
        this.current = base;
    }

    /** The internal (LDM) name of the weight, e.g. {@code model.diffusion_model.out.2.weight}. */
    public String name() { return name; }

    public long[] shape() { return shape.clone(); }

    /** The weight in use: the base, or the patched copy. */
    public NDArray get() { return current; }

    public boolean patched() { return current != base; }

    /**
     * Uses {@code stored + delta} from now on ({@code delta}: float32 with this weight's element count, any manager
     * and device); a previous patch is dropped first, so patches never accumulate.
     */
    public synchronized void patch(NDArray delta) throws InvalidCheckpointException {
        NDManager m = base.getManager();
        // a float32 base holds the stored values (zero-copy from the mapped file, or an exact copy): no second read
        boolean exact = base.getDataType() == DataType.FLOAT32 && !bf16;
        NDArray stored = exact ? base : source.load(name, m, DataType.FLOAT32);   // mapped, or a float32 copy
        NDArray sum = stored.add(delta.toDevice(stored.getDevice(), false).reshape(stored.getShape()));
        if (!exact) stored.close();
        NDArray w = bf16 ? TorchOps.toBf16(sum) : sum.toType(dtype, false);
        if (w != sum) sum.close();
        NDScope.unregister(w); // lives as long as the network or the next patch
        NDArray previous = current;
        current = w;
        if (previous != base) previous.close();
    }

    /** Back to the base weight exactly; the patched copy is freed. */
    public synchronized void restore() {
        NDArray previous = current;
        current = base;
        if (previous != base) previous.close();
    }
}
