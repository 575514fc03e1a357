package org.diffusej.cli;

import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.lora.LoraRuns;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.SdxlLoraTest;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code diffusej txt2img} on sdxl-tiny's single file with {@code --lora} of a random SDXL LoRA
 * ({@link SdxlLoraTest#writeKohyaLora}) writes the engine's image for the same request with the same
 * {@code <lora:…>} tag, within one 8-bit step (the PNG's rounding), and that image differs from the run without it.
 */
class SdxlLoraCliTest {
    static final double ONE_STEP = 1.0 / 255.0;

    @TempDir Path dir;

    private static Request request(String prompt) {
        return Request.builder(Mode.TXT2IMG).prompt(prompt).negativePrompt("blurry").seed(7).steps(2).sampler("Euler")
                .cfgScale(5).size(64, 64).build();
    }

    @Test
    void cliLoraEqualsTheEngineImage() throws Exception {
        Path loras = Files.createDirectories(dir.resolve("loras"));
        Path lora = SdxlLoraTest.writeKohyaLora(loras.resolve("xl_random.safetensors"));
        Path single = Fixtures.singleFile("sdxl-tiny");
        RgbImage expected, plain;
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(single, Fixtures.singleFileOptions("sdxl-tiny")))) {
            p.loras().setLibrary(LoraLibrary.of(List.of(loras)));
            expected = p.generate(request("a photo of a cat <lora:xl_random:0.8>"), ProgressListener.NONE,
                    new CancellationToken()).images().get(0);
            plain = p.generate(request("a photo of a cat"), ProgressListener.NONE, new CancellationToken()).images().get(0);
        }
        assertTrue(LoraRuns.maxDiff(plain, expected) > 4 * ONE_STEP, "the LoRA changes the image");

        CliHarness cli = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null, null),
                PipelineEngineLoader::load);
        Path out = dir.resolve("cli.png");
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", single.toString(), "--model-config",
                Fixtures.configDir("sdxl-tiny").toString(), "-p", "a photo of a cat", "-n", "blurry", "--seed", "7",
                "--steps", "2", "--sampler", "Euler", "--cfg", "5", "-W", "64", "-H", "64",
                "--lora", lora + ":0.8", "-o", out.toString()), cli.err());
        double diff = LoraRuns.maxDiff(expected, ImageFiles.read(out).rgb());
        assertTrue(diff <= ONE_STEP, "CLI image vs engine image max |diff| " + diff);
    }
}
