package org.diffusej.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.Pipeline;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.StableDiffusionModel;
import org.diffusej.engine.sampler.PredictionType;

import java.nio.file.Path;
import java.util.function.LongFunction;

/** Loads a checkpoint into the engine's {@link Pipeline} with the CLI's device, precision and thread options. */
final class PipelineEngineLoader {
    private PipelineEngineLoader() { }

    static DiffusionEngine load(Path model, EngineSettings s, ProgressListener listener) throws DiffusionException {
        long start = System.nanoTime();
        listener.onProgress(new Progress("load", 0, 1, 0, -1, null));
        if (s.threads() > 0) JniUtils.setNumThreads(s.threads());
        ModelOptions o = options(s);
        StableDiffusionModel loaded = StableDiffusionModel.load(model, o);
        listener.onProgress(new Progress("load", 1, 1, (System.nanoTime() - start) / 1e9, 0, null));
        return new SteerablePipeline(loaded);
    }

    /** The pipeline over one loaded model, plus views of it with steered noise (dream) sharing that model. */
    private static final class SteerablePipeline implements NoiseSteerableEngine {
        private final StableDiffusionModel model;
        private final Pipeline pipeline;

        SteerablePipeline(StableDiffusionModel model) {
            this.model = model;
            this.pipeline = new Pipeline(model);
        }

        @Override
        public Result generate(Request r, ProgressListener l, CancellationToken t) throws DiffusionException {
            return pipeline.generate(r, l, t);
        }

        @Override
        public DiffusionEngine withNoise(LongFunction<NoiseSource> noiseForSeed) {
            Pipeline steered = new Pipeline(model, noiseForSeed, Pipeline.DEFAULT_MAX_PIXELS);
            return new DiffusionEngine() {
                @Override
                public Result generate(Request r, ProgressListener l, CancellationToken t) throws DiffusionException {
                    return steered.generate(r, l, t);
                }

                @Override public ModelInfo model() { return steered.model(); }
                @Override public void close() { } // closing a Pipeline closes its model, which is shared
            };
        }

        @Override public ModelInfo model() { return pipeline.model(); }
        @Override public void close() { pipeline.close(); }
    }

    static ModelOptions options(EngineSettings s) throws DiffusionException {
        ModelOptions o;
        switch (s.device()) {
            case "cpu" -> o = ModelOptions.cpu();
            case "gpu" -> {
                if (Engine.getEngine("PyTorch").getGpuCount() == 0)
                    throw new InvalidRequestException("--device gpu, but PyTorch sees no GPU: this build has the CPU "
                            + "natives (build with `mvn -Pcuda` on a CUDA 12 machine) or no GPU is present.");
                o = ModelOptions.cpu().withDevice(Device.gpu()).withPrecision(DataType.FLOAT16);
            }
            default -> o = ModelOptions.auto();
        }
        if (s.precision().equals("fp32")) o = o.withPrecision(DataType.FLOAT32);
        else if (s.precision().equals("fp16")) o = o.withPrecision(DataType.FLOAT16);
        if ("v".equals(s.prediction())) o = o.withPredictionType(PredictionType.V_PREDICTION);
        else if ("epsilon".equals(s.prediction())) o = o.withPredictionType(PredictionType.EPSILON);
        if (s.config() != null) o = o.withConfig(s.config());
        return o;
    }
}
