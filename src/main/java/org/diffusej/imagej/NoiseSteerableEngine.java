package org.diffusej.imagej;

import java.util.function.LongFunction;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.NoiseSource;

/** An engine that can run the same model with noise chosen per seed (latent walks); {@link LoadedPipeline} is one. */
public interface NoiseSteerableEngine extends DiffusionEngine {
    /** The same loaded model drawing its noise from {@code noiseForSeed}; closing the result leaves the model loaded. */
    DiffusionEngine withNoise(LongFunction<NoiseSource> noiseForSeed);
}
