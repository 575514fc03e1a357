package org.diffusej.imagej;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ij.IJ;
import java.nio.file.Path;
import java.util.Locale;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.models.ModelResolver;

/**
 * Opens the DiffuseJ pipeline for {@link EngineSettings}: a path is loaded as is; a catalog id comes from the
 * model cache, downloaded on first use with progress in ImageJ's status bar (Esc cancels the download).
 */
public final class PipelineEngineFactory implements EngineFactory {
    @Override
    public DiffusionEngine open(EngineSettings settings) throws DiffusionException {
        CancellationToken token = new CancellationToken();
        IJ.resetEscape();
        Path path = ModelResolver.fromEnvironment().resolve(settings.model(), Mode.TXT2IMG, p -> {
            if (IJ.escapePressed()) token.cancel();
            IJ.showStatus(String.format(Locale.ROOT, "DiffuseJ: downloading %s %.0f%% (Esc cancels)", p.file(), 100 * p.fraction()));
            IJ.showProgress(p.fraction());
        }, token);
        IJ.showStatus("DiffuseJ: loading " + path.getFileName());
        StableDiffusionModel model = StableDiffusionModel.load(path, options(settings));
        IJ.showStatus("DiffuseJ: loaded " + path.getFileName());
        return new Pipeline(model);
    }

    /** Device and precision: auto = {@link ModelOptions#auto()}; explicit choices override. */
    static ModelOptions options(EngineSettings s) throws DiffusionException {
        ModelOptions o = switch (s.device()) {
            case "cpu" -> ModelOptions.cpu();
            case "gpu" -> {
                if (TorchRuntime.engine().getGpuCount() == 0)
                    throw new DiffusionException("No GPU is available to DiffuseJ (a CUDA build of the plugin and an NVIDIA "
                            + "driver are needed). Choose device \"auto\" or \"cpu\" in Plugins › DiffuseJ › Model & Device.");
                yield ModelOptions.cpu().withDevice(Device.gpu()).withPrecision(DataType.FLOAT16);
            }
            default -> ModelOptions.auto();
        };
        return o.withPrecision(s.precision());
    }
}
