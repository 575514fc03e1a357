package org.diffusej.imagej;

import ij.IJ;
import java.nio.file.Path;
import java.util.Locale;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.Mode;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.pipeline.PrecisionResolver;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.diffusej.models.ModelResolver;

/**
 * Opens the DiffuseJ pipeline for {@link EngineSettings}: a path is loaded as is; a catalog id comes from the
 * model cache, downloaded on first use with progress in ImageJ's status bar (Esc cancels the download). Device and
 * precision come from {@link PrecisionResolver}; a bf16 request that fails its self-test here is logged. A TAESD in
 * the settings gives full-size live previews (the VAE still decodes the final images).
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
        PrecisionResolver.Resolution r = PrecisionResolver.resolve(settings.device(), settings.precision());
        ModelOptions options = settings.vae().isEmpty() ? r.options() : r.options().withVae(Path.of(settings.vae()));
        StableDiffusionModel model = StableDiffusionModel.load(path, options, r.choice());
        PrecisionChoice choice = model.precisionChoice();
        if (choice.fellBack()) IJ.log("DiffuseJ: " + choice.reason());
        IJ.showStatus("DiffuseJ: loaded " + path.getFileName() + " (" + PrecisionChoice.name(choice.used()) + ")");
        model.loras().setLibrary(settings.loraLibrary());
        Pipeline pipeline = new Pipeline(model);
        if (!settings.taesd().isEmpty()) {
            try (TaesdWeightSource w = TaesdWeightSource.open(Path.of(settings.taesd()), model.family())) {
                pipeline.useTaesd(Taesd.load(w, model.manager(), r.options().precision()), false);
            } catch (DiffusionException | RuntimeException e) {
                pipeline.close();
                throw e;
            }
        }
        return pipeline;
    }

    @Override
    public boolean useLoras(DiffusionEngine engine, org.diffusej.engine.lora.LoraLibrary library) {
        if (!(engine instanceof Pipeline p)) return false;
        p.loras().setLibrary(library);
        return true;
    }
}
