package org.diffusej.engine;

import java.util.function.LongFunction;

/** One loaded {@link StableDiffusionModel} behind the {@link Pipeline}, also runnable with steered noise and conditioning (Dream). */
public final class LoadedPipeline implements NoiseSteerableEngine {
    private final StableDiffusionModel model;
    private final Pipeline pipeline;

    public LoadedPipeline(StableDiffusionModel model) {
        this.model = model;
        this.pipeline = new Pipeline(model);
    }

    /** See {@link Pipeline#useTaesd}. */
    public void useTaesd(org.diffusej.engine.vae.Taesd taesd, boolean finalImages) {
        pipeline.useTaesd(taesd, finalImages);
    }

    @Override
    public Result generate(Request request, ProgressListener listener, CancellationToken token) throws DiffusionException {
        return pipeline.generate(request, listener, token);
    }

    @Override
    public DiffusionEngine steered(LongFunction<NoiseSource> noiseForSeed, ConditioningSource conditioning) {
        Pipeline steered = new Pipeline(model, noiseForSeed, Pipeline.DEFAULT_MAX_PIXELS, conditioning);
        return new DiffusionEngine() {
            @Override
            public Result generate(Request r, ProgressListener l, CancellationToken t) throws DiffusionException {
                return steered.generate(r, l, t);
            }

            @Override
            public ModelInfo model() { return steered.model(); }

            @Override
            public void close() { } // Pipeline.close would close the shared model
        };
    }

    @Override
    public ModelInfo model() { return pipeline.model(); }

    @Override
    public void close() { pipeline.close(); }
}
