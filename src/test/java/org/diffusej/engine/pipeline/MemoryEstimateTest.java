package org.diffusej.engine.pipeline;

import org.diffusej.engine.NoiseSource;
import java.util.concurrent.atomic.AtomicReference;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.runtime.MemoryBudget;
import org.diffusej.engine.unet.UNetConfig;
import org.diffusej.engine.vae.VaeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory check before a job, with injected memory figures: the tiny model's 512² img2img (its VAE attends over
 * 65,536 tokens) is refused on a 24 GB machine with a size that fits, the sizes the tests use (64–128 px) run within
 * 1 GB, and SD1.5's 512² estimate lies in a plausible range.
 */
class MemoryEstimateTest {
    private static final long GB = 1_000_000_000L;
    static StableDiffusionModel model;
    static Pipeline pipeline;
    /** The free memory the pipeline reads before each job, set by each test. */
    static final AtomicReference<MemoryBudget> budget = new AtomicReference<>();

    @BeforeAll
    static void load() throws Exception {
        model = StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu());
        pipeline = new Pipeline(model, NoiseSource::seeded, Pipeline.DEFAULT_MAX_PIXELS,
                Pipeline.Hooks.NONE.withMemory(budget::get));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static Request img2img(int side) {
        RgbImage init = RgbImage.blank(side, side);
        return Request.builder(Mode.IMG2IMG).prompt("a cat").size(side, side).initImage(init).strength(0.5).steps(2)
                .seed(1).build();
    }

    @Test
    void tinyModel512Img2ImgIsRefusedWithASizeThatFits() {
        budget.set(new MemoryBudget(8 * GB, 20 * GB));
        long t0 = System.nanoTime();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> pipeline.generate(img2img(512), ProgressListener.NONE, new CancellationToken()));
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused before any work");
        String msg = e.getMessage();
        assertTrue(msg.contains("512×512") && msg.contains("needs about") && msg.contains("20.0 GB"), msg);
        Matcher m = Pattern.compile("At most (\\d+)×\\1 fits").matcher(msg);
        assertTrue(m.find(), msg);
        int side = Integer.parseInt(m.group(1));
        assertTrue(side >= 128 && side < 512, "suggested side " + side);
        UNetConfig u = model.unet().config();
        VaeConfig v = model.vae().config();
        int multiple = v.downscale() * u.downscale();
        MemoryBudget budget = new MemoryBudget(8 * GB, 20 * GB);
        assertTrue(MemoryEstimate.of(img2img(side), multiple, u, v, true, false).nativeBytes() <= budget.ramAvailable());
        assertTrue(MemoryEstimate.of(img2img(side + multiple), multiple, u, v, true, false).nativeBytes()
                > budget.ramAvailable(), "the suggestion is the largest that fits");
    }

    @Test
    void testSizesRunWithinOneGigabyte() throws Exception {
        budget.set(new MemoryBudget(GB, GB));
        for (int side : new int[] {64, 128})
            assertEquals(1, pipeline.generate(img2img(side), ProgressListener.NONE, new CancellationToken()).images().size());
    }

    @Test
    void heapIsCheckedEvenWhenRamIsUnknown() {
        budget.set(new MemoryBudget(100_000, MemoryBudget.UNKNOWN));
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> pipeline.generate(img2img(128), ProgressListener.NONE, new CancellationToken()));
        assertTrue(e.getMessage().contains("heap"), e.getMessage());
        assertFalse(e.getMessage().contains("At most 128"), e.getMessage());
    }

    @Test
    void sd15At512NeedsOneToFourGigabytes() {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a cat").size(512, 512).build();
        long bytes = MemoryEstimate.of(r, 64, UNetConfig.sd1(), VaeConfig.sd(), false, true).nativeBytes();
        assertTrue(bytes > GB && bytes < 4 * GB, "estimate " + bytes / 1e9 + " GB");
        long tiled = MemoryEstimate.of(r.toBuilder().size(2048, 2048).build(), 64, UNetConfig.sd1(), VaeConfig.sd(),
                true, false).nativeBytes();
        assertTrue(tiled < 12 * GB, "tiled VAE bounds a 2048² job: " + tiled / 1e9 + " GB");
    }

    @Test
    void onAGpuTheTensorsAreComparedWithTheGpusFreeMemoryNotRam() throws Exception {
        // The decision with injected numbers; untested on real GPU hardware (this machine has none).
        MemoryBudget host = new MemoryBudget(8 * GB, 64 * GB);
        assertEquals(host, MemoryBudget.forDevice(host, false, () -> { throw new AssertionError("GPU read on a CPU"); }));
        MemoryBudget gpu = MemoryBudget.forDevice(host, true, () -> GB / 2);
        assertEquals(new MemoryBudget(8 * GB, MemoryBudget.UNKNOWN, GB / 2), gpu, "heap kept, RAM not checked, GPU free");

        Request r = Request.builder(Mode.TXT2IMG).prompt("a cat").size(512, 512).build();
        long need = MemoryEstimate.of(r, 64, UNetConfig.sd1(), VaeConfig.sd(), true, false).nativeBytes();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> MemoryEstimate.check(r, 64, UNetConfig.sd1(), VaeConfig.sd(), true, false, gpu));
        assertTrue(e.getMessage().contains("of GPU memory") && e.getMessage().contains("0.5 GB of GPU memory"),
                e.getMessage());
        // 64 GB of RAM do not help a GPU job; a GPU with the estimate free does
        MemoryEstimate.check(r, 64, UNetConfig.sd1(), VaeConfig.sd(), true, false,
                MemoryBudget.forDevice(host, true, () -> need));
        // an unreadable GPU figure skips that check (heap only)
        MemoryEstimate.check(r, 64, UNetConfig.sd1(), VaeConfig.sd(), true, false,
                MemoryBudget.forDevice(host, true, () -> MemoryBudget.UNKNOWN));
    }
}
