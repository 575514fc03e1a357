package org.diffusej.engine.pipeline;

import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.text.DualTextEncoder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SDXL's text encoders are freed after the prompt is encoded: on the sdxl-tiny diffusers folder (the encoders in their
 * own files), the process maps {@code text_encoder/model.safetensors} and {@code text_encoder_2/model.safetensors}
 * after loading and not at all after a generation (read from {@code /proc/self/maps}, Linux); the UNet stays mapped.
 * A second generation reloads them and gives the same image as the first (exactly: same weights, same seed, CPU).
 */
class SdxlTextEncoderReleaseTest {
    @Test
    void encodersAreUnmappedAfterEncodingAndReloadedForTheNextPrompt() throws Exception {
        Path folder = Fixtures.diffusersDir("sdxl-tiny");
        List<Path> encoderFiles = List.of(folder.resolve("text_encoder/model.safetensors"),
                folder.resolve("text_encoder_2/model.safetensors"));
        Path unetFile = folder.resolve("unet/diffusion_pytorch_model.safetensors");
        StableDiffusionModel model = StableDiffusionModel.load(folder, ModelOptions.cpu());
        try (Pipeline pipeline = new Pipeline(model)) {
            DualTextEncoder encoders = model.xl().textEncoders();
            for (Path f : encoderFiles) assertTrue(mappingsOf(f) > 0, "after loading, " + f + " is mapped (zero-copy)");
            Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").negativePrompt("blurry")
                    .size(64, 64).steps(2).seed(7).sampler("Euler").cfgScale(5).build();

            Result first = pipeline.generate(r, ProgressListener.NONE, new CancellationToken());
            assertFalse(encoders.isLoaded(), "released after encoding");
            for (Path f : encoderFiles) assertEquals(0, mappingsOf(f), f + " is no longer mapped");
            assertTrue(mappingsOf(unetFile) > 0, "the UNet stays mapped");

            Result second = pipeline.generate(r, ProgressListener.NONE, new CancellationToken());
            assertEquals(2, encoders.loadCount(), "loaded again for the second prompt");
            assertFalse(encoders.isLoaded(), "and released again");
            for (Path f : encoderFiles) assertEquals(0, mappingsOf(f), f + " is unmapped after the second run");
            assertArrayEquals(first.images().get(0).planes(), second.images().get(0).planes(), 0f,
                    "the reloaded encoders give the same image");
        }
    }

    private static long mappingsOf(Path file) throws IOException {
        String real = file.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.endsWith(real)).count();
    }
}
