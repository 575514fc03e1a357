package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.Set;

/**
 * Tensors by their internal name. Internal names are the original-LDM single-file keys
 * ({@code model.diffusion_model.*}, {@code first_stage_model.*}, {@code cond_stage_model.*}); a diffusers folder
 * is presented under the same names through {@code KeyMapping}, so networks load from one naming only.
 */
public interface WeightSource extends AutoCloseable {

    Set<String> names();

    boolean contains(String name);

    /** Shape of a tensor without loading it. */
    long[] shape(String name);

    /** Loads a tensor into {@code manager} (float tensors as FLOAT32 or FLOAT16 as stored; BF16 as FLOAT32). */
    NDArray load(String name, NDManager manager) throws InvalidCheckpointException;

    /**
     * Loads a float tensor as {@code type} (FLOAT32 or FLOAT16). This default loads it as stored, then converts it
     * and frees the stored-type array; file-backed sources override it to release the file's pages as well.
     */
    default NDArray load(String name, NDManager manager, DataType type) throws InvalidCheckpointException {
        NDArray stored = load(name, manager);
        if (stored.getDataType() == type) return stored;
        NDArray cast = stored.toType(type, false);
        stored.close();
        return cast;
    }

    @Override
    void close();
}
