package org.diffusej.engine.pipeline;

import java.util.function.LongFunction;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.NoiseSource;

/**
 * An engine that can run the same model with noise chosen per seed and conditioning chosen per request (latent walks
 * between seeds and prompts); {@link LoadedPipeline} is one.
 */
public interface NoiseSteerableEngine extends DiffusionEngine {
    /**
     * The same loaded model drawing its noise from {@code noiseForSeed} and encoding prompts with
     * {@code conditioning}; closing the result leaves the model loaded.
     */
    DiffusionEngine steered(LongFunction<NoiseSource> noiseForSeed, ConditioningSource conditioning);

    /** {@link #steered} with the request's own prompts. */
    default DiffusionEngine withNoise(LongFunction<NoiseSource> noiseForSeed) {
        return steered(noiseForSeed, ConditioningSource.PLAIN);
    }
}
