package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandModule;

/** Dream's prompt walk (macro key {@code prompt2}) with the real pipeline on the tiny SD1 fixture. */
class DreamPromptWalkTest {
    private final CommandHarness h = new CommandHarness(new PipelineEngineFactory());

    @AfterEach
    void close() { h.close(); }

    private ImagePlus plain(String prompt) throws Exception {
        return (ImagePlus) h.run(NewImageFromPromptCommand.class, "prompt", prompt, "seed", 11L, "steps", 2,
                "sampler", "Euler", "width", 32, "height", 32, "candidates", 1).getOutput("result");
    }

    @Test
    void framesGoFromPromptAToPromptBWithTheSameSeed() throws Exception {
        h.diffusion.configure(new EngineSettings(Fixtures.diffusersDir("sd1-tiny").toString(), "cpu", "fp32"));
        int[] a = (int[]) plain("a tree").getProcessor().getPixels();
        int[] b = (int[]) plain("a red car at night").getProcessor().getPixels();
        CommandModule d = h.run(DreamCommand.class, "prompt", "a tree", "prompt2", "a red car at night", "seed", 11L,
                "seed2", 11L, "frames", 3, "steps", 2, "sampler", "Euler", "width", 32, "height", 32);
        assertFalse(d.isCanceled(), d.getCancelReason());
        ImagePlus walk = (ImagePlus) d.getOutput("result");
        assertEquals(3, walk.getStackSize());
        assertArrayEquals(a, (int[]) walk.getStack().getPixels(1), "t = 0 is prompt A's image, exactly");
        assertArrayEquals(b, (int[]) walk.getStack().getPixels(3), "t = 1 is prompt B's image, exactly");
        int[] mid = (int[]) walk.getStack().getPixels(2);
        assertFalse(java.util.Arrays.equals(a, mid), "the middle frame differs from A");
        assertFalse(java.util.Arrays.equals(b, mid), "the middle frame differs from B");
        String label = walk.getStack().getSliceLabel(2);
        assertTrue(label.contains("Prompt B: a red car at night, Prompt mix: 0.5"), label);
    }
}
