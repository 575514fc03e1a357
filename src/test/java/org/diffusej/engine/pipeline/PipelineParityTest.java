package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mask;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Pipeline#generate} against every recorded diffusers pipeline run ({@code reference/pipelines/*}): the
 * recorded noise tensors are injected in diffusers' draw order; every step's latents, the final latents and the
 * image must agree within atol 1e-3 (fixtures README), DDIM runs also each UNet input and output. Inpaint results are
 * pasted back through the mask (A1111 behaviour, diffusers returns the raw decode): inside the mask the image must
 * equal diffusers', outside it the original pixels exactly.
 */
class PipelineParityTest {
    static final double ATOL = 1e-3;

    static StableDiffusionModel load(String variant) throws Exception {
        if (Fixtures.diffusersConfig(variant) == null) // sd15-shape ships only its single file
            return StableDiffusionModel.load(Fixtures.singleFile(variant), Fixtures.singleFileOptions(variant));
        return StableDiffusionModel.load(Fixtures.diffusersDir(variant), ModelOptions.cpu());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "sd1-tiny,txt2img_DDIMScheduler", "sd1-tiny,txt2img_EulerDiscreteScheduler", "sd1-tiny,txt2img_PNDMScheduler",
            "sd1-tiny,txt2img_DPMSolverMultistepScheduler", "sd1-tiny,txt2img_EulerAncestralDiscreteScheduler",
            "sd1-tiny,img2img_DDIMScheduler", "sd1-tiny,img2img_EulerDiscreteScheduler",
            "sd1-tiny,inpaint_DDIMScheduler", "sd1-tiny,inpaint_EulerDiscreteScheduler", "sd1-tiny,inpaint_DDIMScheduler_s075",
            "sd1-inpaint-tiny,inpaint_DDIMScheduler", "sd1-inpaint-tiny,inpaint_EulerDiscreteScheduler",
            "sd1-inpaint-tiny,inpaint_DDIMScheduler_s075",
            "sd2-tiny,txt2img_DDIMScheduler", "sd2-tiny,txt2img_EulerDiscreteScheduler",
            "sd2-tiny,img2img_DDIMScheduler", "sd2-tiny,img2img_EulerDiscreteScheduler",
            "sd15-shape,txt2img_DDIMScheduler", "sd15-shape,txt2img_EulerDiscreteScheduler",
            "sd15-shape,img2img_DDIMScheduler", "sd15-shape,inpaint_DDIMScheduler"})
    void matchesDiffusers(String variant, String run) throws Exception {
        Path file = Fixtures.reference(variant, "pipelines/" + run + ".safetensors");
        JsonObject call = Fixtures.pipelineRun(variant, run);     // diffusers' call arguments for this run
        String mode = call.get("mode").getAsString();
        int size = call.get("width").getAsInt();
        assertEquals(size, call.get("height").getAsInt(), "square reference images");
        String suffix = size == 64 ? "" : "_" + size;            // inputs/init_image.png or init_image_128.png
        List<Integer> seen = new ArrayList<>();
        DenoisingLoopParityTest.RecordingUNet unet = new DenoisingLoopParityTest.RecordingUNet(null);
        try (SafetensorsFile ref = SafetensorsFile.open(file);
             NDManager m = NDManager.newBaseManager();
             Pipeline pipeline = new Pipeline(load(variant), seed -> NoiseSource.replay(noise(ref, mode, m)),
                     Pipeline.DEFAULT_MAX_PIXELS,
                     Pipeline.Hooks.NONE.observing(stepChecker(ref, m, run, seen)).wrapping(unet::wrapping))) {
            Request.Builder b = Request.builder(Mode.valueOf(mode.toUpperCase()))
                    .prompt(call.get("prompt").getAsString()).negativePrompt(call.get("negative_prompt").getAsString())
                    .cfgScale(call.get("guidance_scale").getAsDouble()).seed(call.get("generator_seed").getAsLong())
                    .sampler(call.get("scheduler").getAsString()).size(size, size)
                    .steps(call.get("num_inference_steps").getAsInt());
            RgbImage init = png(Fixtures.input("init_image" + suffix + ".png"));
            Mask mask = mask(Fixtures.input("mask" + suffix + ".png"));
            if (!mode.equals("txt2img")) b.initImage(init).strength(call.get("strength").getAsDouble());
            if (mode.equals("inpaint")) b.mask(mask).maskBlur(0);
            NDArray steps = ref.load("step_latents", m);
            Result result = pipeline.generate(b.build(), ProgressListener.NONE, new CancellationToken());
            assertEquals(steps.getShape().get(0), seen.size(), "steps observed");
            if (ref.contains("unet_input")) unet.assertMatches(ref, m, ATOL);
            float[] expected = ref.readFloats("image");                                  // [1, H, W, 3]
            RgbImage got = result.images().get(0);
            assertEquals(size, got.width());
            double worst = 0;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    for (int c = 0; c < 3; c++) {
                        float e = expected[(y * size + x) * 3 + c];
                        if (mode.equals("inpaint") && mask.get(x, y) < 0.5f) e = init.get(c, x, y);
                        worst = Math.max(worst, Math.abs(e - got.get(c, x, y)));
                    }
            assertTrue(worst <= ATOL, run + " image max |diff| " + worst);
        }
    }

    /** Checks every step's latents (and the last step's against the final latents) and records the steps seen. */
    static DenoisingLoop.StepListener stepChecker(SafetensorsFile ref, NDManager m, String run, List<Integer> seen)
            throws Exception {
        NDArray steps = ref.load("step_latents", m);
        NDArray finalLatents = ref.load("final_latents", m);
        return (step, total, x) -> {
            assertEquals(steps.getShape().get(0), total, "steps run");
            assertAllClose(steps.get(step - 1), x, ATOL, 0, run + " step " + step);
            if (step == total) assertAllClose(finalLatents, x, ATOL, 0, run + " final latents");
            seen.add(step);
        };
    }

    /** The draws diffusers made, in order; txt2img's unit latents were passed in, so they come first. */
    static List<NDArray> noise(SafetensorsFile ref, String mode, NDManager m) {
        try {
            List<NDArray> all = new ArrayList<>();
            if (mode.equals("txt2img")) all.add(ref.load("input_latents", m));
            all.addAll(DenoisingLoopParityTest.recordedNoise(ref, m));
            return all;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static RgbImage png(Path p) throws Exception {
        BufferedImage img = ImageIO.read(p.toFile());
        int w = img.getWidth(), h = img.getHeight();
        RgbImage out = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                out.set(0, x, y, ((rgb >> 16) & 255) / 255f);
                out.set(1, x, y, ((rgb >> 8) & 255) / 255f);
                out.set(2, x, y, (rgb & 255) / 255f);
            }
        return out;
    }

    static Mask mask(Path p) throws Exception {
        BufferedImage img = ImageIO.read(p.toFile());
        Mask out = Mask.filled(img.getWidth(), img.getHeight(), 0f);
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) out.set(x, y, img.getRaster().getSample(x, y, 0) / 255f);
        return out;
    }
}
