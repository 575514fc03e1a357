package org.diffusej.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Sinusoidal timestep features of LDM's {@code timestep_embedding} (= diffusers with flip_sin_to_cos=True,
 * downscale_freq_shift=0): [cos(t·f), sin(t·f)] with f_i = exp(-ln(10000)·i/half), i &lt; half = dim/2.
 */
public final class TimestepEmbedding {
    private static final double MAX_PERIOD = 10000.0;

    private TimestepEmbedding() { }

    /** timesteps [N] (any float type) → [N, dim] float32. */
    public static NDArray sinusoidal(NDArray timesteps, int dim) {
        if (dim % 2 != 0) throw new IllegalArgumentException("embedding width must be even, got " + dim);
        return ScopedCall.run(() -> {
            int half = dim / 2;
            NDManager m = timesteps.getManager();
            NDArray freqs = m.arange(0, half, 1, DataType.FLOAT32)
                    .mul(-Math.log(MAX_PERIOD)).div(half).exp();                           // [half]
            NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1)
                    .mul(freqs.reshape(1, half));                                         // [N, half]
            return args.cos().concat(args.sin(), 1);                                      // [N, dim]
        });
    }
}
