package org.diffusej.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.lora.LoraRuns;
import org.diffusej.models.ModelSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --lora FILE:MULT} on the command line runs the settings of the diffusers LoRA run
 * ({@code lora/reference/pipelines/}) and gives the engine's image for them: the CLI's seeded PNG is compared with
 * {@link Pipeline#generate} on the same request ({@link LoraCliReferenceImageTest} compares a CLI run with the
 * diffusers image itself),
 * within one 8-bit step (1/255 + 1e-6), and must differ from the run without the LoRA. The written parameters carry
 * the tag and "Lora hashes"; a tag naming a LoRA in {@code --loras DIR} gives the same image; a missing file is a
 * usage error.
 */
class LoraCliTest {
    static final String RUN = "txt2img_EulerDiscreteScheduler_kohya_alpha1_m0p8";
    static final double TOL = 1 / 255.0 + 1e-6;

    @TempDir Path dir;

    @Test
    void loraOptionReproducesTheReferenceRun() throws Exception {
        JsonObject run = JsonParser.parseString(Files.readString(Fixtures.lora("reference/pipelines/pipelines.json")))
                .getAsJsonObject().getAsJsonObject(RUN + ".safetensors");
        String loraFile = run.get("lora").getAsString().split(",")[0];
        String name = loraFile.replace(".safetensors", "");
        String mult = RUN.substring(RUN.lastIndexOf("_m") + 2).replace('p', '.');
        CliHarness cli = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null, null),
                PipelineEngineLoader::load);
        String[] common = {"txt2img", "-m", Fixtures.diffusersDir("sd1-tiny").toString(),
                "--negative", run.get("negative_prompt").getAsString(), "--seed", run.get("generator_seed").getAsString(),
                "--steps", run.get("num_inference_steps").getAsString(), "--sampler", run.get("scheduler").getAsString(),
                "--cfg", run.get("guidance_scale").getAsString(), "-W", run.get("width").getAsString(),
                "-H", run.get("height").getAsString()};
        Path a = dir.resolve("option.png"), b = dir.resolve("tag.png");
        assertEquals(ExitCode.OK, cli.run(concat(common, "-p", run.get("prompt").getAsString(),
                "--lora", Fixtures.lora(loraFile) + ":" + mult, "-o", a.toString())), cli.err());
        assertEquals(ExitCode.OK, cli.run(concat(common, "-p", run.get("prompt").getAsString() + " <lora:" + name + ":" + mult + ">",
                "--loras", Fixtures.lora(loraFile).getParent().toString(), "-o", b.toString())), cli.err());
        Request.Builder req = Request.builder(Mode.TXT2IMG).negativePrompt(run.get("negative_prompt").getAsString())
                .seed(run.get("generator_seed").getAsLong()).steps(run.get("num_inference_steps").getAsInt())
                .sampler(run.get("scheduler").getAsString()).cfgScale(run.get("guidance_scale").getAsDouble())
                .size(run.get("width").getAsInt(), run.get("height").getAsInt());
        RgbImage withLora, without;
        StableDiffusionModel model = StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu());
        model.loras().setLibrary(LoraLibrary.empty().withFile(Fixtures.lora(loraFile)));
        try (Pipeline engine = new Pipeline(model)) {
            withLora = engine.generate(req.prompt(run.get("prompt").getAsString() + " <lora:" + name + ":" + mult + ">")
                    .build(), ProgressListener.NONE, new CancellationToken()).images().get(0);
            without = engine.generate(req.prompt(run.get("prompt").getAsString()).build(), ProgressListener.NONE,
                    new CancellationToken()).images().get(0);
        }
        for (Path p : new Path[] {a, b}) {
            ImageFile img = ImageFiles.read(p);
            assertTrue(LoraRuns.maxDiff(withLora, img.rgb()) <= TOL, p.getFileName() + " max |diff| " + LoraRuns.maxDiff(withLora, img.rgb()));
            assertTrue(LoraRuns.maxDiff(without, img.rgb()) > 0.05, "the LoRA changed the image");
            Map<String, Object> params = Infotext.parse(img.parameters());
            assertTrue(String.valueOf(params.get("Prompt")).contains("<lora:" + name + ":" + mult + ">"), params.toString());
            assertTrue(String.valueOf(params.get("Lora hashes")).startsWith(name + ": "), params.toString());
        }
        String bad = "--lora=" + dir.resolve("nope.safetensors");
        assertEquals(ExitCode.USAGE, cli.run(concat(common, "-p", "x", bad, "-o", dir.resolve("c.png").toString())));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
