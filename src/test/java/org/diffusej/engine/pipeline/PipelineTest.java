package org.diffusej.engine.pipeline;

import org.diffusej.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request semantics of {@link Pipeline} on the tiny sd1 model: seeds, cancellation, edge cases, refusals. */
class PipelineTest {
    static Pipeline pipeline;
    static RgbImage init;
    static Mask mask;

    @BeforeAll
    static void load() throws Exception {
        pipeline = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()));
        init = PipelineParityTest.png(Fixtures.input("init_image.png"));
        mask = PipelineParityTest.mask(Fixtures.input("mask.png"));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static Request.Builder txt2img() {
        return Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").size(64, 64).steps(2).sampler("Euler a").seed(42);
    }

    static double maxDiff(RgbImage a, RgbImage b) {
        double worst = 0;
        for (int i = 0; i < a.planes().length; i++) worst = Math.max(worst, Math.abs(a.planes()[i] - b.planes()[i]));
        return worst;
    }

    static Result run(Request r) throws DiffusionException {
        return pipeline.generate(r, ProgressListener.NONE, new CancellationToken());
    }

    @Test
    void sameSeedSameImageAndBatchItemKUsesSeedPlusK() throws Exception {
        Result a = run(txt2img().batchSize(2).build());
        Result b = run(txt2img().batchSize(2).build());
        assertEquals(a.images(), b.images());
        assertEquals(List.of(42L, 43L), a.seeds());
        Result single43 = run(txt2img().seed(43).build());
        // same noise; batched convolutions round differently from single ones, hence atol 1e-3 (as the parity tests)
        assertTrue(maxDiff(single43.images().get(0), a.images().get(1)) <= 1e-3, "batch item 1 = a run with seed 43");
        assertTrue(maxDiff(a.images().get(0), a.images().get(1)) > 1e-2, "items with different seeds differ");
        assertTrue(a.infotexts().get(1).contains("Seed: 43"), a.infotexts().get(1));
    }

    @Test
    void randomSeedIsResolvedAndReported() throws Exception {
        Result r = run(txt2img().seed(-1).build());
        long seed = r.seeds().get(0);
        assertTrue(seed >= 0, "seed " + seed);
        assertEquals(seed, r.request().seed());
        assertEquals(r.images(), run(txt2img().seed(seed).build()).images());
    }

    @Test
    void progressCountsEveryStepAndCancellationStopsWithinAStep() throws Exception {
        List<Progress> events = new ArrayList<>();
        run(txt2img().steps(3).batchCount(2).build());
        pipeline.generate(txt2img().steps(3).batchCount(2).build(), events::add, new CancellationToken());
        assertEquals(6, events.size());
        assertEquals(6, events.get(5).step());
        assertEquals(6, events.get(5).total());
        assertEquals(0.0, events.get(5).etaSeconds(), 1e-9);
        CancellationToken token = new CancellationToken();
        List<Progress> seen = new ArrayList<>();
        Result r = pipeline.generate(txt2img().steps(3).batchCount(2).build(), p -> {
            seen.add(p);
            if (p.step() == 4) token.cancel();
        }, token);
        assertTrue(r.cancelled());
        assertEquals(4, seen.size(), "no step after the cancelling one");
        assertEquals(1, r.images().size(), "the first batch finished");
        assertTrue(r.message().contains("Cancelled"), r.message());
    }

    @Test
    void sizesThatAreNotMultiplesAreRestored() throws Exception {
        Result r = run(txt2img().size(50, 37).build());
        assertEquals(50, r.images().get(0).width());
        assertEquals(37, r.images().get(0).height());
    }

    @Test
    void tooLargeSizeIsRefusedNamingTheLimit() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> run(txt2img().size(4096, 4096).build()));
        assertTrue(e.getMessage().contains(String.valueOf(Pipeline.DEFAULT_MAX_PIXELS)), e.getMessage());
    }

    @Test
    void maskOfAnotherSizeIsRefused() {
        Request r = Request.builder(Mode.INPAINT).initImage(init).mask(Mask.filled(32, 32, 1f)).steps(2).build();
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> run(r));
        assertTrue(e.getMessage().contains("32×32") && e.getMessage().contains("64×64"), e.getMessage());
    }

    @Test
    void emptyMaskReturnsTheInputUnchanged() throws Exception {
        Result r = run(Request.builder(Mode.INPAINT).initImage(init).mask(Mask.filled(64, 64, 0f)).steps(2).build());
        assertEquals(init, r.images().get(0));
        assertTrue(r.message().contains("mask is empty"), r.message());
    }

    @Test
    void fullMaskRepaintsEverything() throws Exception {
        Result r = run(Request.builder(Mode.INPAINT).initImage(init).mask(Mask.filled(64, 64, 1f)).maskBlur(0)
                .steps(2).strength(1.0).seed(1).build());
        assertNotEquals(init.get(0, 10, 10), r.images().get(0).get(0, 10, 10));
    }

    @Test
    void inpaintKeepsUnmaskedPixels() throws Exception {
        Result r = run(Request.builder(Mode.INPAINT).initImage(init).mask(mask).maskBlur(0).steps(2).seed(3).build());
        RgbImage out = r.images().get(0);
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                if (mask.get(x, y) == 0f) assertEquals(init.get(1, x, y), out.get(1, x, y), 0f, x + "," + y);
    }

    @Test
    void onlyMaskedInvertedBlurredInpaintReturnsTheInitSizeAndKeepsFarPixels() throws Exception {
        Mask corner = Mask.filled(64, 64, 1f);
        for (int y = 40; y < 64; y++) for (int x = 40; x < 64; x++) corner.set(x, y, 0f); // inverted: repaint this corner
        Result r = run(Request.builder(Mode.INPAINT).initImage(init).mask(corner).invertMask(true).onlyMasked(true)
                .onlyMaskedPadding(4).maskBlur(2).maskedContent(MaskedContent.FILL).size(32, 32).steps(2).seed(5).build());
        RgbImage out = r.images().get(0);
        assertEquals(64, out.width());
        assertEquals(init.get(2, 5, 5), out.get(2, 5, 5), 0f, "far from the (inverted) mask: original pixel");
        assertTrue(maxDiff(init.crop(44, 44, 16, 16), out.crop(44, 44, 16, 16)) > 1e-3, "the corner was repainted");
    }

    @Test
    void strengthZeroChangesNothingAndStrengthOneRunsAllSteps() throws Exception {
        Result zero = run(Request.builder(Mode.IMG2IMG).initImage(init).strength(0).steps(5).build());
        assertEquals(init, zero.images().get(0));
        assertTrue(zero.message().contains("unchanged"), zero.message());
        List<Progress> events = new ArrayList<>();
        pipeline.generate(Request.builder(Mode.IMG2IMG).initImage(init).strength(1).steps(5).seed(2).build(),
                events::add, new CancellationToken());
        assertEquals(5, events.size());
    }

    @Test
    void oneStepAndNoGuidanceWork() throws Exception {
        for (String sampler : List.of("Euler a", "Euler", "DPM++ 2M", "DPM++ 2M Karras", "DDIM", "PLMS", "LCM")) {
            Result r = run(txt2img().steps(1).cfgScale(1).sampler(sampler).build());
            float v = r.images().get(0).get(0, 5, 5);
            assertTrue(v >= 0 && v <= 1 && !Float.isNaN(v), sampler + " gave " + v);
        }
    }

    @Test
    void unknownSamplerIsADiffusionException() {
        DiffusionException e = assertThrows(DiffusionException.class, () -> run(txt2img().sampler("Nope").build()));
        assertTrue(e.getMessage().contains("Euler a"), e.getMessage());
    }
}
