package org.diffusej.engine.lora;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.StableDiffusionModel;

import java.nio.file.Path;
import java.util.List;

/** What the faces' LoRA tests compare with: the engine's own image for a request, and the largest pixel difference. */
public final class LoraRuns {
    private LoraRuns() { }

    /** {@code r} through a {@link Pipeline} on {@code model} (CPU, fp32) with {@code loraFolder} as its LoRA library. */
    public static RgbImage engineImage(Path model, Path loraFolder, Request r) throws Exception {
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(model, ModelOptions.cpu()))) {
            p.loras().setLibrary(LoraLibrary.of(List.of(loraFolder)));
            return p.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0);
        }
    }

    /** max |e − g| over every pixel and channel (values in [0, 1]). */
    public static double maxDiff(RgbImage e, RgbImage g) {
        if (e.width() != g.width() || e.height() != g.height())
            throw new AssertionError(e.width() + "x" + e.height() + " vs " + g.width() + "x" + g.height());
        double worst = 0;
        for (int y = 0; y < g.height(); y++)
            for (int x = 0; x < g.width(); x++)
                for (int c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(e.get(c, x, y) - g.get(c, x, y)));
        return worst;
    }
}
