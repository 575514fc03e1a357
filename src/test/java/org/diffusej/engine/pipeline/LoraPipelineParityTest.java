package org.diffusej.engine.pipeline;

import java.util.concurrent.atomic.AtomicReference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.lora.InvalidLoraException;
import org.diffusej.engine.lora.LoraFile;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The diffusers txt2img run with a LoRA merged at 0.8 ({@code lora/reference/pipelines/}) through {@link Pipeline}
 * with {@code <lora:name:0.8>} in the prompt: recorded noise injected as in {@link PipelineParityTest}, every step's
 * latents and the image within its atol 1e-3. The infotext keeps the tag and adds "Lora hashes" (A1111's addnet
 * short hash); the next request without a tag runs the base model again.
 */
class LoraPipelineParityTest {
    static final String RUN = "txt2img_EulerDiscreteScheduler_kohya_alpha1_m0p8";

    @Test
    void promptTagReproducesTheMergedPipelineRun() throws Exception {
        JsonObject run = JsonParser.parseString(Files.readString(Fixtures.lora("reference/pipelines/pipelines.json")))
                .getAsJsonObject().getAsJsonObject(RUN + ".safetensors");
        String loraName = run.get("lora").getAsString().split(",")[0].replace(".safetensors", "");
        double multiplier = Double.parseDouble(RUN.substring(RUN.lastIndexOf("_m") + 2).replace('p', '.'));
        Path lora = Fixtures.lora(loraName + ".safetensors");
        StableDiffusionModel model = StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu());
        AtomicReference<DenoisingLoop.StepListener> observer = new AtomicReference<>(DenoisingLoop.StepListener.NONE);
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.lora("reference/pipelines/" + RUN + ".safetensors"));
             NDManager m = NDManager.newBaseManager();
             Pipeline pipeline = new Pipeline(model,
                     seed -> NoiseSource.replay(PipelineParityTest.noise(ref, "txt2img", m)), Pipeline.DEFAULT_MAX_PIXELS,
                     Pipeline.Hooks.NONE.observing((step, total, x) -> observer.get().afterStep(step, total, x)))) {
            // 1. no library: the tag is refused with a sentence
            Request.Builder b = Request.builder(Mode.TXT2IMG)
                    .prompt(run.get("prompt").getAsString() + " <lora:" + loraName + ":" + multiplier + ">")
                    .negativePrompt(run.get("negative_prompt").getAsString())
                    .cfgScale(run.get("guidance_scale").getAsDouble()).seed(run.get("generator_seed").getAsLong())
                    .steps(run.get("num_inference_steps").getAsInt()).sampler(run.get("scheduler").getAsString())
                    .size(run.get("width").getAsInt(), run.get("height").getAsInt());
            InvalidLoraException missing = assertThrows(InvalidLoraException.class,
                    () -> pipeline.generate(b.build(), ProgressListener.NONE, new CancellationToken()));
            assertTrue(missing.getMessage().contains(loraName), missing.getMessage());
            // 2. the LoRA's folder as library: the run matches diffusers'
            model.loras().setLibrary(LoraLibrary.of(List.of(lora.getParent())));
            NDArray steps = ref.load("step_latents", m);
            observer.set((step, total, x) ->
                    assertAllClose(steps.get(step - 1), x, PipelineParityTest.ATOL, 0, RUN + " step " + step));
            Result result = pipeline.generate(b.build(), ProgressListener.NONE, new CancellationToken());
            float[] expected = ref.readFloats("image");
            RgbImage got = result.images().get(0);
            double worst = 0;
            for (int y = 0; y < got.height(); y++)
                for (int x = 0; x < got.width(); x++)
                    for (int c = 0; c < 3; c++)
                        worst = Math.max(worst, Math.abs(expected[(y * got.width() + x) * 3 + c] - got.get(c, x, y)));
            assertTrue(worst <= PipelineParityTest.ATOL, "image max |diff| " + worst);
            String infotext = result.infotexts().get(0);
            assertTrue(infotext.startsWith(b.build().prompt()), "the infotext keeps the tag: " + infotext);
            String hash = LoraFile.open(lora).shortHash();
            assertTrue(infotext.contains("Lora hashes: \"" + loraName + ": " + hash + "\""), infotext);
            assertEquals(12, hash.length());
            assertEquals(1, model.loras().patcher().applied().size());
            // 3. the next request without a tag runs the base model
            observer.set(DenoisingLoop.StepListener.NONE);
            Result plain = pipeline.generate(b.prompt(run.get("prompt").getAsString()).build(), ProgressListener.NONE,
                    new CancellationToken());
            assertEquals(0, model.loras().patcher().applied().size());
            assertTrue(!plain.infotexts().get(0).contains("Lora hashes"), plain.infotexts().get(0));
        }
    }
}
