package org.diffusej.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Where a generation's Gaussian noise comes from, draw after draw: the initial latents, the VAE posterior sample,
 * img2img's re-noising and the per-step noise of ancestral samplers, in the order diffusers draws them.
 */
public interface NoiseSource {

    /** The next standard-normal float32 tensor of {@code shape}, created in {@code manager}. */
    NDArray next(Shape shape, NDManager manager);

    /**
     * Noise equal to {@code torch.manual_seed(seed)} followed by {@code torch.randn} calls with the same shapes on CPU:
     * a diffusers pipeline given {@code generator=torch.Generator().manual_seed(seed)} draws the same values.
     */
    static NoiseSource seeded(long seed) {
        return new SeededNoiseSource(seed);
    }

    /** Replays recorded tensors in order (for tests against reference runs); fails when they run out or mismatch. */
    static NoiseSource replay(List<NDArray> recorded) {
        return new ReplayNoiseSource(recorded);
    }
}
