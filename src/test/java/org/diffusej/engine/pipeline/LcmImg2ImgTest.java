package org.diffusej.engine.pipeline;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LCM img2img through {@link Pipeline#generate} (diffusers' {@code LatentConsistencyModelImg2ImgPipeline}): the
 * timesteps come from the strength ({@code set_timesteps(n, strength=s)}) and all of them run. Expectations from the
 * fixtures: the UNet's timesteps at strength 0.5 are LCMScheduler's img2img timesteps in {@code schedules.json}, and
 * at strength 1 the txt2img run's {@code timesteps} of sd1-lcm-tiny (exact: integer timesteps). There is no diffusers
 * reference image for LCM img2img, so the image is checked for size, determinism and that the init image changed.
 */
class LcmImg2ImgTest {
    private static final int STEPS = 4;

    private static Request img2img(double strength, int steps) throws Exception {
        return Request.builder(Mode.IMG2IMG).prompt("a photo of a cat").cfgScale(8).seed(51).sampler("LCM")
                .steps(steps).size(64, 64).strength(strength)
                .initImage(PipelineParityTest.png(Fixtures.input("init_image.png"))).build();
    }

    /** LCMScheduler's img2img timesteps for {@code steps} at strength 0.5, from the schedules fixture. */
    private static float[] fixtureImg2ImgTimesteps(int steps) throws Exception {
        JsonObject all = JsonParser.parseString(Files.readString(Fixtures.variant("schedules").resolve("schedules.json")))
                .getAsJsonObject();
        for (JsonElement e : all.getAsJsonArray("entries")) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("name").getAsString().startsWith("LCM") && o.get("num_inference_steps").getAsInt() == steps
                    && o.has("img2img_strength_0.5")) {
                List<Float> t = new ArrayList<>();
                for (JsonElement v : o.getAsJsonObject("img2img_strength_0.5").getAsJsonArray("timesteps")) t.add(v.getAsFloat());
                float[] out = new float[t.size()];
                for (int i = 0; i < out.length; i++) out[i] = t.get(i);
                return out;
            }
        }
        throw new IllegalStateException("no LCM img2img entry for " + steps + " steps in schedules.json");
    }

    /** The recorder of the next run (the pipeline's UNet wrapper hands each run to the current one). */
    private final AtomicReference<DenoisingLoopParityTest.RecordingUNet> recorder = new AtomicReference<>();

    private Pipeline recordingPipeline(Path folder) throws Exception {
        return new Pipeline(StableDiffusionModel.load(folder, ModelOptions.cpu()), NoiseSource::seeded,
                Pipeline.DEFAULT_MAX_PIXELS, Pipeline.Hooks.NONE.wrapping(inner -> recorder.get().wrapping(inner)));
    }

    private float[] unetTimesteps(Pipeline p, Request r) throws Exception {
        DenoisingLoopParityTest.RecordingUNet unet = new DenoisingLoopParityTest.RecordingUNet(null);
        recorder.set(unet);
        Result result = p.generate(r, ProgressListener.NONE, new CancellationToken());
        assertEquals(64, result.images().get(0).width());
        float[] out = new float[unet.timesteps.size()];
        for (int i = 0; i < out.length; i++) out[i] = unet.timesteps.get(i);
        return out;
    }

    @Test
    void timestepsComeFromTheStrengthAndAllRun(@TempDir Path dir) throws Exception {
        Path folder = FewStepPipelineParityTest.assembled("sd1-lcm-tiny", "sd1-tiny", dir);
        try (Pipeline p = recordingPipeline(folder)) {
            float[] expected = fixtureImg2ImgTimesteps(STEPS);
            assertEquals(STEPS, expected.length, "LCM img2img runs every step (diffusers: 4 steps at strength 0.5, not 2)");
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, unetTimesteps(p, img2img(0.5, STEPS)), 0f,
                    "UNet timesteps at strength 0.5");
            float[] txt2img;
            try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd1-lcm-tiny",
                    "pipelines/txt2img_" + STEPS + "step_LCMScheduler_gs8.safetensors"))) {
                txt2img = ref.readFloats("timesteps");
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(txt2img, unetTimesteps(p, img2img(1.0, STEPS)), 0f,
                    "strength 1 runs txt2img's timesteps");
        }
    }

    @Test
    void imageIsDeterministicAndChangesTheInit(@TempDir Path dir) throws Exception {
        Path folder = FewStepPipelineParityTest.assembled("sd1-lcm-tiny", "sd1-tiny", dir);
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(folder, ModelOptions.cpu()))) {
            Request r = img2img(0.5, 2);
            RgbImage a = p.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0);
            RgbImage b = p.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0);
            assertEquals(a, b, "same seed, same image");
            assertNotEquals(r.initImage(), a, "the init image was denoised");
            Request none = img2img(0.0, 2);
            Result unchanged = p.generate(none, ProgressListener.NONE, new CancellationToken());
            assertEquals(none.initImage(), unchanged.images().get(0), "strength 0 returns the init image");
        }
    }

    @Test
    void tooFewDistillationStepsForTheStrengthAreRefused(@TempDir Path dir) throws Exception {
        Path folder = FewStepPipelineParityTest.assembled("sd1-lcm-tiny", "sd1-tiny", dir);
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(folder, ModelOptions.cpu()))) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> p.generate(img2img(0.05, STEPS), ProgressListener.NONE, new CancellationToken()));
            assertTrue(e.getMessage().contains("strength 0.05") && e.getMessage().contains("asked for 4"), e.getMessage());
        }
    }
}
