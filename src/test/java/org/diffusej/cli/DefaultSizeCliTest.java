package org.diffusej.cli;

import org.diffusej.engine.ModelInfo;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** txt2img and dream without -W/-H generate at the model's own size (SDXL 1024, SD 2.x v 768, SD1 512). */
class DefaultSizeCliTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0} v={1}: {2}")
    @CsvSource({"SDXL,false,1024", "SD2,true,768", "SD1,false,512"})
    void noSizeGivenIsTheModelsSize(String family, boolean v, int expected) throws Exception {
        FakeEngine engine = new FakeEngine(Picture.RAMP, new ModelInfo("m", "memory", "abcdef0123", family, false, v));
        CliHarness cli = new CliHarness(dir.resolve("cache"), engine);
        Path model = Files.writeString(dir.resolve("model.safetensors"), "stand-in; the test loader ignores it");
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", model.toString(), "-p", "a fox", "--seed", "1", "--steps", "1",
                "-o", dir.resolve("a.png").toString()), cli.err());
        assertEquals(expected, engine.requests().get(0).width());
        assertEquals(expected, engine.requests().get(0).height());
        assertEquals(ExitCode.OK, cli.run("dream", "-m", model.toString(), "-p", "a fox", "--seed", "1", "--steps", "1",
                "--frames", "2", "-W", "64", "--out", dir.resolve("frames").toString()), cli.err());
        assertEquals(64, engine.requests().get(1).width(), "a given width is kept");
        assertEquals(expected, engine.requests().get(1).height());
    }
}
