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
     * Standard-normal noise for a stochastic sampler's step from noise level {@code sigma} to {@code sigmaNext}, in a
     * run whose nonzero sigmas span [{@code sigmaMin}, {@code sigmaMax}] (AUTOMATIC1111's DPM++ SDE and 2M SDE). By
     * default the next draw; seeded sources answer with the normalised increment of a Brownian tree seeded from their
     * seed ({@link org.diffusej.engine.noise.BrownianTree}), so the noise of an interval does not depend on how many steps led there.
     */
    default NDArray brownian(double sigma, double sigmaNext, double sigmaMin, double sigmaMax, Shape shape,
                             NDManager manager) {
        return next(shape, manager);
    }

    /**
     * Noise equal to {@code torch.manual_seed(seed)} followed by {@code torch.randn} calls with the same shapes on CPU:
     * a diffusers pipeline given {@code generator=torch.Generator().manual_seed(seed)} draws the same values.
     */
    static NoiseSource seeded(long seed) {
        return new SeededNoiseSource(seed);
    }

    /**
     * Noise for a batch whose item k has its own source (seed + k): a draw of shape {@code [B, ...]} is the
     * concatenation of each item's draw of shape {@code [1, ...]}, like diffusers with a list of generators.
     */
    static NoiseSource batch(List<NoiseSource> items) {
        List<NoiseSource> copy = List.copyOf(items);
        return new NoiseSource() {
            @Override
            public NDArray next(Shape shape, NDManager manager) {
                return perItem(shape, manager, item -> item.next(new Shape(1).addAll(shape.slice(1)), manager));
            }

            @Override
            public NDArray brownian(double sigma, double sigmaNext, double sigmaMin, double sigmaMax, Shape shape,
                                    NDManager manager) {
                return perItem(shape, manager, item -> item.brownian(sigma, sigmaNext, sigmaMin, sigmaMax,
                        new Shape(1).addAll(shape.slice(1)), manager));
            }

            private NDArray perItem(Shape shape, NDManager manager, java.util.function.Function<NoiseSource, NDArray> draw) {
                if (shape.get(0) != copy.size())
                    throw new IllegalArgumentException("noise for " + shape + " but the batch has " + copy.size() + " items");
                if (copy.size() == 1) return draw.apply(copy.get(0));
                ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
                for (NoiseSource item : copy) parts.add(draw.apply(item));
                NDArray all = ai.djl.ndarray.NDArrays.concat(parts, 0);
                parts.close();
                return all;
            }
        };
    }

    /** Replays recorded tensors in order (for tests against reference runs); fails when they run out or mismatch. */
    static NoiseSource replay(List<NDArray> recorded) {
        return new ReplayNoiseSource(recorded);
    }
}
