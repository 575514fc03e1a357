package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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

    @Override
    void close();
}
