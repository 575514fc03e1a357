package org.diffusej.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.LoadedPipeline;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.StableDiffusionModel;
import org.diffusej.engine.nn.TorchRuntime;
import org.diffusej.engine.sampler.PredictionType;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.TaesdWeightSource;

import java.nio.file.Path;

/** Loads a checkpoint into the engine's pipeline ({@link LoadedPipeline}) with the CLI's device and precision. */
final class PipelineEngineLoader {
    private PipelineEngineLoader() { }

    static DiffusionEngine load(Path model, EngineSettings s, ProgressListener listener) throws DiffusionException {
        long start = System.nanoTime();
        listener.onProgress(new Progress("load", 0, 1, 0, -1, null));
        if (s.threads() > 0) JniUtils.setNumThreads(s.threads());
        ModelOptions o = options(s);
        StableDiffusionModel loaded = StableDiffusionModel.load(model, o);
        LoadedPipeline pipeline = new LoadedPipeline(loaded); // steerable: dream's latent walk
        if (s.taesd() != null) {
            try (TaesdWeightSource w = TaesdWeightSource.open(s.taesd())) {
                pipeline.useTaesd(Taesd.load(w, loaded.manager(), o.precision()), true);
            } catch (DiffusionException | RuntimeException e) {
                pipeline.close();
                throw e;
            }
        }
        listener.onProgress(new Progress("load", 1, 1, (System.nanoTime() - start) / 1e9, 0, null));
        return pipeline;
    }

    static ModelOptions options(EngineSettings s) throws DiffusionException {
        ModelOptions o;
        switch (s.device()) {
            case "cpu" -> o = ModelOptions.cpu();
            case "gpu" -> {
                if (TorchRuntime.engine().getGpuCount() == 0)
                    throw new InvalidRequestException("--device gpu, but PyTorch sees no GPU: this build has the CPU "
                            + "natives (build with `mvn -Pcuda` on a CUDA 12 machine) or no GPU is present.");
                o = ModelOptions.cpu().withDevice(Device.gpu()).withPrecision(DataType.FLOAT16);
            }
            default -> o = ModelOptions.auto();
        }
        o = o.withPrecision(s.precision());
        if ("v".equals(s.prediction())) o = o.withPredictionType(PredictionType.V_PREDICTION);
        else if ("epsilon".equals(s.prediction())) o = o.withPredictionType(PredictionType.EPSILON);
        if (s.config() != null) o = o.withConfig(s.config());
        return o;
    }
}
