package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.Line;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.diffusej.testing.FakeEngine;
import org.scijava.command.CommandModule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Inputs the user can get wrong end with a message (cancel reason + warning), no exception; cancel stops a run. */
class BadInputsAndCancelTest {
    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() { h.close(); }

    private String refusal(Object... inputs) throws Exception {
        CommandModule m = h.run(InpaintSelectionCommand.class, inputs);
        assertTrue(m.isCanceled(), "expected a refusal");
        assertTrue(h.problems().isEmpty(), "no exceptions or errors in the log: " + h.problems());
        assertTrue(h.log.stream().anyMatch(l -> l.text().equals(m.getCancelReason())), "the message is shown (logged headless)");
        assertEquals(0, engine.requests().size(), "nothing ran");
        return m.getCancelReason();
    }

    private static ImagePlus image(int w, int h, Roi roi) {
        ImagePlus imp = new ImagePlus("img", new ByteProcessor(w, h));
        if (roi != null) imp.setRoi(roi);
        return imp;
    }

    @Test
    void noImage() throws Exception {
        assertTrue(refusal("imp", null, "prompt", "x").contains("no image"));
    }

    @Test
    void noSelection() throws Exception {
        assertTrue(refusal("imp", image(64, 64, null), "prompt", "x").contains("no selection"));
    }

    @Test
    void lineSelection() throws Exception {
        assertTrue(refusal("imp", image(64, 64, new Line(2, 2, 40, 40)), "prompt", "x").contains("has no area"));
    }

    @Test
    void selectionOutsideTheImage() throws Exception {
        assertTrue(refusal("imp", image(64, 64, new Roi(100, 100, 20, 20)), "prompt", "x").contains("outside the image"));
    }

    @Test
    void oneByOneSelection() throws Exception {
        assertTrue(refusal("imp", image(64, 64, new Roi(10, 10, 1, 1)), "prompt", "x").contains("only 1×1"));
    }

    @Test
    void hugeImage() throws Exception {
        assertTrue(refusal("imp", image(3000, 16, new Roi(0, 0, 16, 16)), "prompt", "x").contains("at most 2048×2048"));
    }

    @Test
    void tinyRequestedImage() throws Exception {
        CommandModule m = h.run(NewImageFromPromptCommand.class, "prompt", "x", "width", 4, "height", 64);
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("only 4×64"), m.getCancelReason());
        assertTrue(h.problems().isEmpty());
    }

    @Test
    void hiresUpscaleAboveOneAsksForTheHiresFix() throws Exception {
        h.run(NewImageFromPromptCommand.class, "prompt", "x", "width", 64, "height", 64, "steps", 2, "candidates", 1,
                "hiresScale", 2.0, "hiresStrength", 0.4);
        assertEquals(new org.diffusej.engine.Request.Hires(2.0, "Latent", 0, 0.4), engine.lastRequest().hires());
        h.run(NewImageFromPromptCommand.class, "prompt", "x", "width", 64, "height", 64, "steps", 2, "candidates", 1,
                "hiresScale", 1.0); // given: SciJava remembers the last value
        assertEquals(null, engine.lastRequest().hires(), "upscale 1 is off");
    }

    @Test
    void engineThatCannotLoadIsAMessage() throws Exception {
        try (CommandHarness broken = new CommandHarness(s -> { throw new org.diffusej.engine.DiffusionException("Model 'x' not found: put it in /models."); })) {
            CommandModule m = broken.run(NewImageFromPromptCommand.class, "prompt", "x", "width", 64, "height", 64);
            assertTrue(m.isCanceled());
            assertEquals("Model 'x' not found: put it in /models.", m.getCancelReason());
            assertTrue(broken.problems().isEmpty());
        }
    }

    @Test
    void cancelMidRunStopsWithinAStepAndLeavesTheImageAlone() throws Exception {
        engine.stepMillis(20);
        ImagePlus imp = image(64, 64, new Roi(8, 8, 32, 32));
        Future<CommandModule> f = h.commands.run(InpaintSelectionCommand.class, true, "imp", imp, "prompt", "x",
                "steps", 200, "candidates", 1);
        long t0 = System.nanoTime();
        while (engine.requests().size() == 0 && System.nanoTime() - t0 < 5e9) Thread.sleep(5);
        Thread.sleep(100);
        h.diffusion.cancelRunning();
        CommandModule m = f.get(2, TimeUnit.SECONDS); // 200 steps × 20 ms = 4 s if not cancelled
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("cancelled"), m.getCancelReason());
        assertNull(imp.getOverlay());
        assertTrue(h.problems().isEmpty());
    }

    @Test
    void cancelAfterTheFirstCandidateKeepsIt() throws Exception {
        engine.stepMillis(20);
        ImagePlus imp = image(64, 64, new Roi(8, 8, 32, 32));
        Future<CommandModule> f = h.commands.run(InpaintSelectionCommand.class, true, "imp", imp, "prompt", "x",
                "steps", 10, "candidates", 3);
        long t0 = System.nanoTime();
        while (engine.stepsRun() < 12 && System.nanoTime() - t0 < 10e9) Thread.sleep(2); // first candidate done
        h.diffusion.cancelRunning();
        CommandModule m = f.get(5, TimeUnit.SECONDS);
        assertFalse(m.isCanceled());
        assertEquals(1, imp.getOverlay().size());
        assertTrue(((GenerationCommand) m.getDelegateObject()).note().contains("kept the 1 finished"));
    }
}
