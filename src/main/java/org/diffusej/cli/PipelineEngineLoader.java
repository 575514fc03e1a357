package org.diffusej.cli;

import ai.djl.pytorch.jni.JniUtils;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.pipeline.PrecisionResolver;
import org.diffusej.engine.PredictionType;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.TaesdWeightSource;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Loads a checkpoint into the engine's pipeline ({@link Pipeline}) with the CLI's device and precision, as
 * {@link PrecisionResolver} chooses them.
 */
final class PipelineEngineLoader {
    private PipelineEngineLoader() { }

    static DiffusionEngine load(Path model, LoaderSettings s, ProgressListener listener) throws DiffusionException {
        long start = System.nanoTime();
        listener.onProgress(new Progress("load", 0, 1, 0, -1, null));
        if (s.threads() > 0) JniUtils.setNumThreads(s.threads());
        PrecisionResolver.Resolution r = PrecisionResolver.resolve(s.device(), s.precision());
        ModelOptions o = options(r.options(), s);
        StableDiffusionModel loaded = StableDiffusionModel.load(model, o, r.choice());
        if (s.loras() != null) loaded.loras().setLibrary(s.loras());
        Pipeline pipeline = new Pipeline(loaded);
        if (s.taesd() != null) {
            try (TaesdWeightSource w = TaesdWeightSource.open(s.taesd(), loaded.family())) {
                pipeline.useTaesd(Taesd.load(w, loaded.manager(), o.precision()), !s.taesdPreviewsOnly());
            } catch (DiffusionException | RuntimeException e) {
                pipeline.close();
                throw e;
            }
        }
        listener.onProgress(new Progress("load", 1, 1, (System.nanoTime() - start) / 1e9, 0, null));
        return pipeline;
    }

    /** The resolved device and precision with the CLI's model facts (prediction type, config folder). */
    static ModelOptions options(ModelOptions resolved, LoaderSettings s) {
        ModelOptions o = resolved;
        if ("v".equals(s.prediction())) o = o.withPredictionType(PredictionType.V_PREDICTION);
        else if ("epsilon".equals(s.prediction())) o = o.withPredictionType(PredictionType.EPSILON);
        if (s.config() != null) o = o.withConfig(s.config());
        if (s.vae() != null) o = o.withVae(s.vae());
        return o;
    }

    /** One stderr line when the requested precision was replaced (bf16 failed its self-test on this host). */
    static void tellPrecisionFallback(PrintStream err, ModelInfo info) {
        PrecisionChoice c = info.precision();
        if (c != null && c.fellBack()) err.println("DiffuseJ: " + c.reason());
    }
}
