package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import ij.ImagePlus;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandModule;

/**
 * Fiji's live preview with the real pipeline: a TAESD set in Model &amp; Device is remembered and makes a generation
 * show full-size previews (sd1-tiny 64² → 32² latents → TAESD 256²) in the preview window; without one, none opens.
 */
class TaesdPreviewWindowTest {
    private final CommandHarness h = new CommandHarness(settings -> new PipelineEngineFactory().open(settings));

    @AfterEach
    void close() { h.close(); }

    @Test
    void aTaesdFromModelAndDeviceShowsFullSizePreviews() throws Exception {
        String model = Fixtures.diffusersDir("sd1-tiny").toString();
        String taesd = Fixtures.variant("taesd").toString();
        h.run(ModelAndDeviceCommand.class, "model", model, "device", "cpu", "precision", "fp32", "taesd", taesd,
                "action", ModelAndDeviceCommand.REMEMBER);
        assertEquals(taesd, h.diffusion.settings().taesd());

        CommandModule m = h.run(NewImageFromPromptCommand.class, "prompt", "a tree", "seed", 11L, "steps", 2,
                "sampler", "Euler", "width", 64, "height", 64, "candidates", 1);
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus preview = ((GenerationCommand) m.getCommand()).previews().image();
        assertEquals(256, preview.getWidth(), "TAESD preview: 32² latents × 8");
        assertEquals(256, preview.getHeight());
        assertEquals(PreviewWindow.TITLE, preview.getTitle());

        h.run(ModelAndDeviceCommand.class, "model", model, "device", "cpu", "precision", "fp32", "taesd", "",
                "action", ModelAndDeviceCommand.REMEMBER);
        CommandModule plain = h.run(NewImageFromPromptCommand.class, "prompt", "a tree", "seed", 11L, "steps", 2,
                "sampler", "Euler", "width", 64, "height", 64, "candidates", 1);
        assertNull(((GenerationCommand) plain.getCommand()).previews().image(), "no TAESD: no preview window");
    }
}
