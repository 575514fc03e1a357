package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.Progress;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interrupt and skip keep what was reached, as AUTOMATIC1111 does (its sampler returns {@code last_latent}, the
 * model's clean-latent estimate of the last step, decoded); cancel still drops unfinished images (CLI Ctrl-C).
 */
class StopEarlyTest {
    static Pipeline pipeline;
    static StableDiffusionModel model;

    @BeforeAll
    static void load() throws Exception {
        model = StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu());
        pipeline = new Pipeline(model);
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static Result run(org.diffusej.engine.Request r) throws Exception {
        return pipeline.generate(r, org.diffusej.engine.ProgressListener.NONE, new CancellationToken());
    }

    @Test
    void interruptKeepsTheImageAtTheStepReached() throws Exception {
        CancellationToken token = new CancellationToken();
        List<Progress> seen = new ArrayList<>();
        Result r = pipeline.generate(PipelineTest.txt2img().steps(6).batchCount(2).build(), p -> {
            seen.add(p);
            if (p.step() == 2) token.interrupt();
        }, token);
        assertTrue(r.cancelled());
        assertEquals(1, r.images().size(), "the first batch's image, stopped at step 2");
        assertEquals(List.of(0), r.unfinished());
        assertEquals(2, seen.size(), "no step after the interrupting one");
        assertEquals(List.of(42L), r.seeds());
        RgbImage full = run(PipelineTest.txt2img().steps(6).build()).images().get(0);
        assertTrue(PipelineTest.maxDiff(full, r.images().get(0)) > 1e-3, "the kept image is not the finished one");
    }

    @Test
    void interruptOnTheLastStepKeepsTheFinishedImage() throws Exception {
        CancellationToken token = new CancellationToken();
        Result r = pipeline.generate(PipelineTest.txt2img().steps(5).sampler("Euler").build(), p -> {
            if (p.step() == 5) token.interrupt();
        }, token);
        assertEquals(List.of(), r.unfinished(), "interrupted on the last step: nothing was cut");
        RgbImage full = run(PipelineTest.txt2img().steps(5).sampler("Euler").build()).images().get(0);
        assertEquals(full, r.images().get(0));
    }

    @Test
    void skipEndsOnlyTheCurrentBatch() throws Exception {
        CancellationToken token = new CancellationToken();
        Result r = pipeline.generate(PipelineTest.txt2img().steps(2).batchCount(3).build(), p -> {
            if (p.step() == 1) token.skip();
        }, token);
        assertFalse(r.cancelled());
        assertEquals(3, r.images().size());
        assertEquals(List.of(0), r.unfinished(), "only the first batch stopped early");
        assertEquals(List.of(42L, 43L, 44L), r.seeds());
        RgbImage second = run(PipelineTest.txt2img().seed(43).steps(2).build()).images().get(0);
        assertTrue(PipelineTest.maxDiff(second, r.images().get(1)) <= 1e-6, "the batch after the skip ran in full");
    }

    @Test
    void cancelStillDropsTheUnfinishedImage() throws Exception {
        CancellationToken token = new CancellationToken();
        Result r = pipeline.generate(PipelineTest.txt2img().steps(4).batchCount(2).build(), p -> {
            if (p.step() == 6) token.cancel();
        }, token);
        assertTrue(r.cancelled());
        assertEquals(1, r.images().size(), "only the finished first batch");
        assertEquals(List.of(), r.unfinished());
    }

    @Test
    void earlyEndReturnsTheSamplersCleanEstimate() throws Exception {
        // the loop itself: a listener ending after step 1 gets Euler's pred_original_sample back, not the noisy x
        org.diffusej.engine.sampler.Sampler s = org.diffusej.engine.sampler.Samplers.create("Euler", null, model.schedule());
        s.setTimesteps(3);
        try (ai.djl.ndarray.NDManager m = model.manager().newSubManager()) {
            NDArray x = m.ones(new ai.djl.ndarray.types.Shape(1, 4, 8, 8)).mul(s.initNoiseSigma());
            NDArray ctx = m.zeros(new ai.djl.ndarray.types.Shape(1, 77, 32));
            DenoisingLoop.NoisePredictor constant = (sample, t, c) -> sample.getManager().full(new ai.djl.ndarray.types.Shape(1, 4, 8, 8), 0.5f);
            DenoisingLoop loop = new DenoisingLoop(constant, s, 1.0, ctx, ctx);
            NDArray out = loop.run(x, 0, null, (shape, mm) -> mm.zeros(shape), (step, total, lat) -> {
                throw new DenoisingLoop.EndEarly();
            });
            // Euler (epsilon): x0 = x − σ₀·eps (diffusers' pred_original_sample), here initNoiseSigma − σ₀·0.5
            float sigma0 = ((org.diffusej.engine.sampler.EulerSampler) s).sigmas()[0];
            float expected = s.initNoiseSigma() - sigma0 * 0.5f;
            for (float v : out.toFloatArray()) assertEquals(expected, v, 1e-4f * sigma0, "x0 estimate");
        }
    }
}
