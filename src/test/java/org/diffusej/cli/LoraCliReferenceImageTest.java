package org.diffusej.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plain CLI run with {@code --lora FILE:0.8} reproduces the diffusers reference image of
 * {@code lora/reference/pipelines/} with nothing injected. Why it can: the reference's initial latents were
 * {@code torch.randn} from a generator seeded S+50 (fixtures README; S is {@code summary.json}'s seed) and the
 * engine draws a seed's noise from libtorch's CPU generator exactly as {@code torch.manual_seed(seed)} +
 * {@code torch.randn} (A1111's "CPU" RNG source); the pipeline's own generator (S+51) only fed Euler's per-step
 * draws, which Euler with s_churn 0 does not use. So {@code --seed S+50} draws {@code input_latents} bit for bit
 * (asserted, tolerance 0), and the written PNG equals the reference {@code image} within the pipeline tolerance
 * (atol 1e-3, as {@code LoraPipelineParityTest}) plus half an 8-bit step for the PNG's rounding.
 */
class LoraCliReferenceImageTest {
    static final String RUN = LoraCliTest.RUN;
    static final double PIPELINE_ATOL = 1e-3;
    static final double TOL = PIPELINE_ATOL + 0.5 / 255.0;
    /** README: "input_latents = randn seed S+50". */
    static final long INPUT_LATENTS_SEED_OFFSET = 50;

    @TempDir Path dir;

    @Test
    void seededCliRunEqualsTheDiffusersImage() throws Exception {
        JsonObject run = Fixtures.json(Fixtures.lora("reference/pipelines/pipelines.json")).getAsJsonObject(RUN + ".safetensors");
        long seed = Fixtures.json(Fixtures.root().resolve("summary.json")).get("seed").getAsLong() + INPUT_LATENTS_SEED_OFFSET;
        String loraFile = run.get("lora").getAsString().split(",")[0];
        String mult = RUN.substring(RUN.lastIndexOf("_m") + 2).replace('p', '.');
        float[] expected;
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.lora("reference/pipelines/" + RUN + ".safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            Shape latents = new Shape(ref.info("input_latents").shape());
            assertArrayEquals(ref.readFloats("input_latents"), NoiseSource.seeded(seed).next(latents, m).toFloatArray(), 0f,
                    "seed " + seed + " draws the reference's input_latents");
            expected = ref.readFloats("image");
        }
        CliHarness cli = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null, null),
                PipelineEngineLoader::load);
        Path out = dir.resolve("cli.png");
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", Fixtures.diffusersDir("sd1-tiny").toString(),
                "-p", run.get("prompt").getAsString(), "--negative", run.get("negative_prompt").getAsString(),
                "--seed", Long.toString(seed), "--steps", run.get("num_inference_steps").getAsString(),
                "--sampler", run.get("scheduler").getAsString(), "--cfg", run.get("guidance_scale").getAsString(),
                "-W", run.get("width").getAsString(), "-H", run.get("height").getAsString(),
                "--lora", Fixtures.lora(loraFile) + ":" + mult, "-o", out.toString()), cli.err());
        RgbImage got = ImageFiles.read(out).rgb();
        double worst = 0;
        for (int y = 0; y < got.height(); y++)
            for (int x = 0; x < got.width(); x++)
                for (int c = 0; c < 3; c++)
                    worst = Math.max(worst, Math.abs(expected[(y * got.width() + x) * 3 + c] - got.get(c, x, y)));
        assertTrue(worst <= TOL, "CLI image vs diffusers image max |diff| " + worst + " > " + TOL);
    }
}
