package org.diffusej.cli;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ProgressListener;
import org.diffusej.models.ModelNotAvailableException;

import java.nio.file.Path;

/** Loads a checkpoint into the engine's pipeline for the CLI. */
final class PipelineEngineLoader {
    private PipelineEngineLoader() { }

    static DiffusionEngine load(Path model, EngineSettings settings, ProgressListener listener)
            throws DiffusionException {
        // The pipeline (helper "samplers") and model loader (helper "weights") are not on main yet.
        throw new ModelNotAvailableException("This build of DiffuseJ does not include the generation pipeline yet, "
                + "so " + model + " cannot be run.");
    }
}
