package org.diffusej.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.diffusej.Fixtures;
import org.diffusej.engine.text.PromptEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;

/** Walks between two prompts on the tiny SD1 fixture: exact ends, a different middle, padding to the longer prompt. */
class PromptWalkTest {
    private static final String A = "a photo of a cat";
    private static final String B = "a red house by the sea";
    static StableDiffusionModel model;

    @BeforeAll
    static void load() throws Exception {
        model = StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Request.Builder request(String prompt) {
        return Request.builder(Mode.TXT2IMG).prompt(prompt).negativePrompt("blurry").size(32, 32).steps(2)
                .sampler("Euler").seed(7);
    }

    private static RgbImage plain(String prompt) throws DiffusionException {
        return generate(new Pipeline(model, NoiseSource::seeded, Pipeline.DEFAULT_MAX_PIXELS), request(prompt).build());
    }

    /** Frame at t of a walk from A to B with the seed walk 7 → 7 (same seed): variation seed and second prompt. */
    private static RgbImage frame(double t) throws DiffusionException {
        return generate(new Pipeline(model, NoiseSource::seeded, Pipeline.DEFAULT_MAX_PIXELS),
                request(A).variation(7, t).secondPrompt(B, t).build());
    }

    private static RgbImage generate(Pipeline p, Request r) throws DiffusionException {
        return p.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0); // p shares the model: not closed
    }

    @Test
    void endsAreThePromptsOwnImagesAndTheMiddleIsNeither() throws Exception {
        RgbImage a = plain(A), b = plain(B);
        assertArrayEquals(a.planes(), frame(0).planes(), "t = 0 is prompt A's ordinary image, bit for bit");
        assertArrayEquals(b.planes(), frame(1).planes(), "t = 1 is prompt B's ordinary image, bit for bit");
        RgbImage mid = frame(0.5);
        assertTrue(PipelineTest.maxDiff(mid, a) > 1e-3, "the middle differs from A: " + PipelineTest.maxDiff(mid, a));
        assertTrue(PipelineTest.maxDiff(mid, b) > 1e-3, "the middle differs from B: " + PipelineTest.maxDiff(mid, b));
    }

    @Test
    void theMiddleMixesBothPromptsPaddedToTheLongerOne() throws Exception {
        String longB = "a red house by the sea, " + "with tall green trees and a small boat, ".repeat(8); // > 75 tokens
        PromptEncoder prompts = PromptEncoder.of(model.tokenizer(), model.textEncoder()::encode);
        try (NDManager m = model.manager().newSubManager()) {
            Request r = request(A).build();
            PromptEncoder.Conditioning mid = LatentWalk.conditioning(prompts, r.toBuilder().secondPrompt(longB, 0.25).build(), m);
            long chunks = mid.positive().getShape().get(1) / 77;
            assertEquals(2, chunks, "A is padded to B's two chunks");
            assertEquals(mid.positive().getShape(), mid.negative().getShape(), "the negative prompt is padded too");
            var z = prompts.encodeAligned(java.util.List.of(A, longB), r.clipSkip(), m);
            float[] expected = z.get(0).mul(0.75f).add(z.get(1).mul(0.25f)).toFloatArray();
            assertArrayEquals(expected, mid.positive().toFloatArray(), 0f, "(1 − t)·A + t·B, same float ops");
        }
    }
}
