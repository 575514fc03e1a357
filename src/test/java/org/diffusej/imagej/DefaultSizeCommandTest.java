package org.diffusej.imagej;

import ij.ImagePlus;
import org.diffusej.engine.ModelInfo;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** New Image from Prompt with width/height 0 (the default) makes an image of the model's own size. */
class DefaultSizeCommandTest {
    private FakeEngine engine;   // made per case, with the case's model family
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() { h.close(); }

    @ParameterizedTest(name = "{0} v={1}: {2}")
    @CsvSource({"SDXL,false,1024", "SD2,true,768", "SD1,false,512"})
    void zeroMeansTheModelsSize(String family, boolean v, int expected) throws Exception {
        engine = new FakeEngine(Picture.PATTERN, new ModelInfo("m", "memory", "0123456789", family, false, v));
        ImagePlus out = (ImagePlus) h.run(NewImageFromPromptCommand.class, "prompt", "x", "steps", 1, "candidates", 1,
                "width", 0, "height", 0).getOutput("result");
        assertEquals(expected, engine.lastRequest().width());
        assertEquals(expected, out.getHeight());
        h.run(NewImageFromPromptCommand.class, "prompt", "x", "steps", 1, "candidates", 1, "width", 64, "height", 0);
        assertEquals(64, engine.lastRequest().width(), "a given width is kept");
        assertEquals(expected, engine.lastRequest().height());
    }
}
