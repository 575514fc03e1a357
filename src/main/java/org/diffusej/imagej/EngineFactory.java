package org.diffusej.imagej;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;

/** Opens the engine for some {@link EngineSettings}; the {@link DiffusionService} calls it once per model. */
@FunctionalInterface
public interface EngineFactory {
    /** Loads the model named by {@code settings}; a missing or unusable model is a {@link DiffusionException}. */
    DiffusionEngine open(EngineSettings settings) throws DiffusionException;

    /**
     * Points an engine this factory opened at another LoRA library without reloading it; false when it cannot (the
     * service then reloads the model with the new settings).
     */
    default boolean useLoras(DiffusionEngine engine, org.diffusej.engine.lora.LoraLibrary library) { return false; }
}
