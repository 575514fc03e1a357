package org.diffusej.imagej;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;

/** Opens the DiffuseJ pipeline ({@code org.diffusej.engine.Pipeline}) for the chosen model, device and precision. */
public final class PipelineEngineFactory implements EngineFactory {
    @Override
    public DiffusionEngine open(EngineSettings settings) throws DiffusionException {
        // Wired to Pipeline + StableDiffusionModel.load as soon as they are on main (see the imagej report).
        throw new DiffusionException("This DiffuseJ build has no diffusion pipeline yet; cannot load " + settings.model() + ".");
    }
}
