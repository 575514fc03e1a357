package org.diffusej.imagej;

import ij.ImagePlus;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandModule;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model &amp; Device's VAE field with the real pipeline on the tiny SDXL folder: remembered in the settings; the
 * model's own VAE given as the override (its {@code vae/} folder) gives the same image; a file that is no VAE stops
 * the generation with the loader's sentence.
 */
class VaeOverrideCommandTest {
    private final CommandHarness h = new CommandHarness(settings -> new PipelineEngineFactory().open(settings));

    @AfterEach
    void close() { h.close(); }

    private CommandModule generate() throws Exception {
        return h.run(NewImageFromPromptCommand.class, "prompt", "a tree", "seed", 11L, "steps", 2, "sampler", "Euler",
                "width", 64, "height", 64, "candidates", 1);
    }

    private void configure(String model, String vae) throws Exception {
        h.run(ModelAndDeviceCommand.class, "model", model, "device", "cpu", "precision", "fp32", "taesd", "",
                "vae", vae, "action", ModelAndDeviceCommand.REMEMBER);
    }

    @Test
    void vaeFromModelAndDeviceIsUsed() throws Exception {
        Path folder = Fixtures.diffusersDir("sdxl-tiny");
        configure(folder.toString(), "");
        int[] own = (int[]) ((ImagePlus) generate().getOutput("result")).getProcessor().getPixels();
        configure(folder.toString(), folder.resolve("vae").toString());
        assertEquals(folder.resolve("vae").toString(), h.diffusion.settings().vae());
        CommandModule m = generate();
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertArrayEquals(own, (int[]) ((ImagePlus) m.getOutput("result")).getProcessor().getPixels());

        configure(folder.toString(), folder.resolve("unet/diffusion_pytorch_model.safetensors").toString());
        CommandModule refused = generate();
        assertTrue(refused.isCanceled());
        assertTrue(refused.getCancelReason().contains("is not a VAE"), refused.getCancelReason());
    }
}
