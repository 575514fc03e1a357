package org.diffusej.imagej;

import org.diffusej.diagnostics.Facts;
import org.diffusej.diagnostics.Redact;

import java.util.List;

/**
 * Fiji's own part of the system check: what *Model &amp; Device...* chose and whether that model is loaded.
 *
 * @param model     catalog id or path (home folder as ~)
 * @param device    auto, cpu or gpu
 * @param precision auto, fp32, fp16 or bf16
 * @param loaded    true when the model is in memory
 */
public record FijiSection(String model, String device, String precision, boolean loaded) implements Facts {

    /** The shared engine's settings; never loads a model. */
    static FijiSection of(DiffusionService diffusion) {
        EngineSettings s = diffusion.settings();
        return new FijiSection(Redact.path(s.model()), s.device(), s.precision(), diffusion.isLoaded());
    }

    @Override
    public List<Line> lines() {
        return List.of(new Line("model", model + (loaded ? " (loaded)" : " (not loaded yet)")),
                new Line("device, precision", device + ", " + precision));
    }
}
