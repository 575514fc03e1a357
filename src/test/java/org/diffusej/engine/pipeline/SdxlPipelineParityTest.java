package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mask;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Pipeline#generate} on the tiny SDXL models against the recorded diffusers SDXL pipeline runs
 * ({@code sdxl-tiny/reference/pipelines}, {@code sdxl-inpaint-tiny/...}): Euler with the SDXL scheduler config,
 * guidance 5, 64×64, default time ids (64, 64, 0, 0, 64, 64), the recorded noise injected in diffusers' draw order.
 * Every step's latents, the final latents, the recorded UNet calls (inputs after scale_model_input and CFG
 * duplication, outputs before CFG) and the image agree within atol 1e-3, as the SD1/SD2 pipeline tests; inpaint
 * results are pasted back through the mask (outside it the original pixels). "negNone" is A1111's empty negative
 * prompt: zero context and pooled embedding (force_zeros_for_empty_prompt).
 */
class SdxlPipelineParityTest {
    static final double ATOL = PipelineParityTest.ATOL;

    static StableDiffusionModel load(String variant) throws DiffusionException {
        if (variant.equals("sdxl-inpaint-tiny"))   // its folder is pruned: the single file with sdxl-tiny's configs
            return StableDiffusionModel.load(Fixtures.singleFile(variant),
                    ModelOptions.cpu().withConfig(Fixtures.diffusersDir("sdxl-tiny")));
        return StableDiffusionModel.load(Fixtures.diffusersDir(variant), ModelOptions.cpu());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"sdxl-tiny,txt2img_EulerDiscreteScheduler,2", "sdxl-tiny,txt2img_EulerDiscreteScheduler_negNone,2",
            "sdxl-tiny,img2img_EulerDiscreteScheduler,10", "sdxl-tiny,inpaint_EulerDiscreteScheduler,4",
            "sdxl-inpaint-tiny,inpaint_EulerDiscreteScheduler_s099,5"})
    void matchesDiffusers(String variant, String run, int steps) throws Exception {
        String mode = run.substring(0, run.indexOf('_'));
        List<Integer> seen = new ArrayList<>();
        DenoisingLoopParityTest.RecordingUNet unet = new DenoisingLoopParityTest.RecordingUNet(null);
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "pipelines/" + run + ".safetensors"));
             NDManager m = NDManager.newBaseManager();
             Pipeline pipeline = new Pipeline(load(variant), seed -> NoiseSource.replay(PipelineParityTest.noise(ref, mode, m)),
                     Pipeline.DEFAULT_MAX_PIXELS, Pipeline.Hooks.NONE
                     .observing(PipelineParityTest.stepChecker(ref, m, run, seen)).wrapping(unet::wrapping))) {
            Request.Builder b = Request.builder(Mode.valueOf(mode.toUpperCase()))
                    .prompt("a photo of a cat").negativePrompt(run.endsWith("_negNone") ? "" : "blurry, low quality")
                    .cfgScale(5.0).seed(51).sampler("EulerDiscreteScheduler").size(64, 64).steps(steps);
            RgbImage init = PipelineParityTest.png(Fixtures.input("init_image.png"));
            Mask mask = PipelineParityTest.mask(Fixtures.input("mask.png"));
            if (mode.equals("img2img")) b.initImage(init).strength(0.6);
            if (mode.equals("inpaint")) b.initImage(init).mask(mask).maskBlur(0).strength(run.endsWith("_s099") ? 0.99 : 1.0);
            NDArray stepLatents = ref.load("step_latents", m);
            Result result = pipeline.generate(b.build(), ProgressListener.NONE, new CancellationToken());
            assertEquals(stepLatents.getShape().get(0), seen.size(), "steps observed");
            assertRecordedCallsMatch(ref, unet, m, run);
            assertImageMatches(ref, result.images().get(0), mode.equals("inpaint") ? mask : null, init, run);
        }
    }

    @Test
    void modelInfoSaysSdxlAnd1024() throws Exception {
        try (StableDiffusionModel model = load("sdxl-tiny")) {
            ModelInfo info = model.info();
            assertEquals("SDXL", info.family());
            assertEquals(1024, info.defaultSize());
            assertEquals(0.13025, model.vae().config().scalingFactor(), 1e-12);
        }
    }

    /** The UNet calls the file recorded (all, or only the first step's). */
    private static void assertRecordedCallsMatch(SafetensorsFile ref, DenoisingLoopParityTest.RecordingUNet unet,
                                                 NDManager m, String run) throws Exception {
        if (!ref.contains("unet_input")) return;
        NDArray in = ref.load("unet_input", m), out = ref.load("unet_output", m);
        float[] t = ref.readFloats("unet_timestep");
        assertTrue(unet.inputs.size() >= in.getShape().get(0), "UNet calls");
        for (int i = 0; i < in.getShape().get(0); i++) {
            assertEquals(t[i], unet.timesteps.get(i), 0f, run + " unet timestep " + i);
            assertAllClose(in.get(i), m.create(unet.inputs.get(i), in.get(i).getShape()), ATOL, 0, run + " unet input " + i);
            assertAllClose(out.get(i), m.create(unet.outputs.get(i), out.get(i).getShape()), ATOL, 0, run + " unet output " + i);
        }
    }

    private static void assertImageMatches(SafetensorsFile ref, RgbImage got, Mask mask, RgbImage init, String run)
            throws Exception {
        float[] expected = ref.readFloats("image");                                  // [1, H, W, 3]
        int size = got.width();
        assertEquals(64, size);
        double worst = 0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                for (int c = 0; c < 3; c++) {
                    float e = mask != null && mask.get(x, y) < 0.5f ? init.get(c, x, y) : expected[(y * size + x) * 3 + c];
                    worst = Math.max(worst, Math.abs(e - got.get(c, x, y)));
                }
        assertTrue(worst <= ATOL, run + " image max |diff| " + worst);
    }
}
