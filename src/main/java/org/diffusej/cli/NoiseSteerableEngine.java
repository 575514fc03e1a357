package org.diffusej.cli;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.NoiseSource;

import java.util.function.LongFunction;

/** An engine that can also run with chosen noise (Dream's latent walk between two seeds). */
interface NoiseSteerableEngine extends DiffusionEngine {
    /** A view of the same loaded model whose generations draw noise from {@code noiseForSeed}; closing it is a no-op. */
    DiffusionEngine withNoise(LongFunction<NoiseSource> noiseForSeed);
}
