package org.diffusej.engine.pipeline;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mask;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffusej.Fixtures;
import org.diffusej.engine.unet.GuidanceEmbedding;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Few-step models and TAESD through {@link Pipeline#generate} against diffusers (wave-2 fixtures): SD-Turbo
 * ({@code sd2-turbo-tiny}: trailing Euler / Euler a, guidance 0 = one UNet call per step, txt2img, img2img,
 * inpaint), LCM ({@code sd1-lcm-tiny}: guidance embedding as {@code timestep_cond}, no CFG; diffusers folder and
 * single file) and sd1-tiny with TAESD as its VAE. Recorded noise injected in diffusers' order; every step's latents,
 * every UNet input/output and the image within atol 1e-3, as {@link PipelineParityTest}.
 *
 * <p>The test copies of sd2-turbo-tiny and sd1-lcm-tiny hold only their own UNet and scheduler: their VAE, text
 * encoder and tokenizer are byte-identical to sd2-tiny's / sd1-tiny's (fixtures README), so a loadable folder is
 * assembled from both, as the fixtures README describes for pruned variants.
 */
class FewStepPipelineParityTest {
    static final double ATOL = PipelineParityTest.ATOL;

    /** {@code variant}'s own diffusers files plus the VAE, text encoder and tokenizer of {@code base}. */
    static Path assembled(String variant, String base, Path dir) throws IOException {
        Path out = dir.resolve(variant);
        copyTree(Fixtures.diffusersDir(base), out);
        copyTree(Fixtures.diffusersDir(variant), out);       // own unet/, scheduler/, model_index.json win
        return out;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @ParameterizedTest(name = "sd2-turbo-tiny {0}")
    @ValueSource(strings = {"txt2img_1step_EulerDiscreteScheduler", "txt2img_4step_EulerDiscreteScheduler",
            "txt2img_1step_EulerAncestralDiscreteScheduler", "img2img_2step_strength0.5_EulerDiscreteScheduler",
            "inpaint_2step_EulerDiscreteScheduler"})
    void sdTurboMatchesDiffusers(String run, @TempDir Path dir) throws Exception {
        String mode = run.substring(0, run.indexOf('_'));
        int steps = Integer.parseInt(run.replaceAll(".*?_(\\d)step.*", "$1"));
        String sampler = run.substring(run.lastIndexOf('_') + 1);
        Request.Builder b = Request.builder(Mode.valueOf(mode.toUpperCase())).prompt("a photo of a cat")
                .cfgScale(0).seed(51).sampler(sampler).steps(steps).size(64, 64);
        RgbImage init = PipelineParityTest.png(Fixtures.input("init_image.png"));
        Mask mask = PipelineParityTest.mask(Fixtures.input("mask.png"));
        if (mode.equals("img2img")) b.initImage(init).strength(0.5);
        if (mode.equals("inpaint")) b.initImage(init).mask(mask).maskBlur(0).strength(1.0);
        check(StableDiffusionModel.load(assembled("sd2-turbo-tiny", "sd2-tiny", dir), ModelOptions.cpu()), null,
                b.build(), Fixtures.reference("sd2-turbo-tiny", "pipelines/" + run + ".safetensors"), mode, init, mask);
    }

    @ParameterizedTest(name = "sd1-lcm-tiny {0} steps, {1}")
    @CsvSource({"1,folder", "4,folder", "1,single-file", "4,single-file"})
    void lcmMatchesDiffusers(int steps, String layout, @TempDir Path dir) throws Exception {
        Path folder = assembled("sd1-lcm-tiny", "sd1-tiny", dir);
        StableDiffusionModel model = layout.equals("folder")
                ? StableDiffusionModel.load(folder, ModelOptions.cpu())
                : StableDiffusionModel.load(Fixtures.singleFile("sd1-lcm-tiny"), ModelOptions.cpu().withConfig(folder));
        assertEquals(256, model.unet().config().timeCondProjDim(), "guidance embedding recognised (" + layout + ")");
        Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").cfgScale(8).seed(51).sampler("LCM")
                .steps(steps).size(64, 64).build();
        check(model, null, r, Fixtures.reference("sd1-lcm-tiny", "pipelines/txt2img_" + steps + "step_LCMScheduler_gs8.safetensors"),
                "txt2img", null, null);
    }

    @Test
    void sd1WithTaesdAsItsVaeMatchesDiffusers() throws Exception {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").negativePrompt("blurry, low quality")
                .cfgScale(7.5).seed(51).sampler("Euler").steps(2).size(64, 64).build();
        try (NDManager m = NDManager.newBaseManager();
             TaesdWeightSource w = TaesdWeightSource.open(Fixtures.diffusersDir("taesd"))) {
            check(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()),
                    Taesd.load(w, m, DataType.FLOAT32), r,
                    Fixtures.reference("taesd", "pipelines/txt2img_EulerDiscreteScheduler_sd1tiny_taesd.safetensors"),
                    "txt2img", null, null);
        }
    }

    /** Runs {@code r} with the recorded noise and compares steps, UNet calls and the image with {@code file}. */
    private static void check(StableDiffusionModel model, Taesd taesd, Request r, Path file, String mode, RgbImage init,
                              Mask mask) throws Exception {
        List<Integer> seen = new ArrayList<>();
        DenoisingLoopParityTest.RecordingUNet unet = new DenoisingLoopParityTest.RecordingUNet(null);
        try (SafetensorsFile ref = SafetensorsFile.open(file);
             NDManager m = NDManager.newBaseManager();
             NDArray steps = ref.load("step_latents", m);
             Pipeline pipeline = new Pipeline(model, seed -> NoiseSource.replay(PipelineParityTest.noise(ref, mode, m)),
                     Pipeline.DEFAULT_MAX_PIXELS, Pipeline.Hooks.NONE.observing((step, total, x) -> {
                         assertEquals(steps.getShape().get(0), total, "steps run");
                         assertAllClose(steps.get(step - 1), x, ATOL, 0, file.getFileName() + " step " + step);
                         seen.add(step);
                     }).wrapping(unet::wrapping))) {
            if (taesd != null) pipeline.useTaesd(taesd, true);
            Result result = pipeline.generate(r, ProgressListener.NONE, new CancellationToken());
            assertEquals(steps.getShape().get(0), seen.size(), "steps observed");
            unet.assertMatches(ref, m, ATOL);
            float[] expected = ref.readFloats("image");                                  // [1, H, W, 3]
            RgbImage got = result.images().get(0);
            int size = got.width();
            double worst = 0;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    for (int c = 0; c < 3; c++) {
                        float e = expected[(y * size + x) * 3 + c];
                        if (mode.equals("inpaint") && mask.get(x, y) < 0.5f) e = init.get(c, x, y);
                        worst = Math.max(worst, Math.abs(e - got.get(c, x, y)));
                    }
            assertTrue(worst <= ATOL, file.getFileName() + " image max |diff| " + worst);
        }
    }

    /**
     * diffusers' {@code get_guidance_scale_embedding} for every recorded w and width. atol 1e-3: the sinusoid arguments
     * reach w·1000 = 7.5e3, where one float32 ulp is 4.9e-4, and libtorch 2.5's exp (frequencies) can differ from
     * torch 1.13's by an ulp; a wrong formula (order, scale, w − 1) gives O(1) differences.
     */
    @Test
    void guidanceEmbeddingMatchesDiffusers() throws Exception {
        try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sd1-lcm-tiny", "guidance_embedding.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            NDArray w = ref.load("w", m);
            for (int dim : new int[] {256, 8, 7})
                assertAllClose(ref.load("embedding_" + dim, m), GuidanceEmbedding.of(w, dim), 1e-3, 0, "embedding " + dim);
            try (SafetensorsFile run = SafetensorsFile.open(
                    Fixtures.reference("sd1-lcm-tiny", "pipelines/txt2img_1step_LCMScheduler_gs8.safetensors"))) {
                assertAllClose(run.load("w_embedding", m), GuidanceEmbedding.forScale(8.0, 256, m), 1e-3, 0,
                        "w_embedding of guidance 8");
            }
        }
    }

    /** SD-Turbo's 1 step at strength 0.5 runs nothing: refused with the rule, not an unchanged image. */
    @Test
    void img2imgWithLessThanOneStepIsRefused(@TempDir Path dir) throws Exception {
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(assembled("sd2-turbo-tiny", "sd2-tiny", dir), ModelOptions.cpu()))) {
            Request r = Request.builder(Mode.IMG2IMG).prompt("a cat").cfgScale(0).steps(1).strength(0.5)
                    .initImage(PipelineParityTest.png(Fixtures.input("init_image.png"))).build();
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> p.generate(r, ProgressListener.NONE, new CancellationToken()));
            assertTrue(e.getMessage().contains("steps × strength must be at least 1") && e.getMessage().contains("2 steps"),
                    e.getMessage());
        }
    }

    /** Guidance ≤ 1 runs the UNet once per step on batch 1; above 1 once per step on batch 2 (uncond + cond). */
    @ParameterizedTest(name = "cfg {0}")
    @CsvSource({"0,1", "1,1", "1.5,2", "7,2"})
    void unetRunsOncePerStepWithTheBatchGuidanceNeeds(double cfg, int batch) throws Exception {
        int steps = 3;
        List<Long> batches = new ArrayList<>();
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()),
                NoiseSource::seeded, Pipeline.DEFAULT_MAX_PIXELS, Pipeline.Hooks.NONE.wrapping(inner -> (s, t, c) -> {
                    batches.add(s.getShape().get(0));
                    return inner.predict(s, t, c);
                }))) {
            p.generate(Request.builder(Mode.TXT2IMG).prompt("a cat").cfgScale(cfg).steps(steps).sampler("Euler")
                    .size(64, 64).seed(1).build(), ProgressListener.NONE, new CancellationToken());
            assertEquals(steps, batches.size(), "UNet calls");
            for (long n : batches) assertEquals(batch, n, "UNet batch");
        }
    }

    /** With TAESD attached for previews only, progress carries full-size TAESD previews and the VAE decodes. */
    @Test
    void taesdPreviewsAreFullSize() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             TaesdWeightSource w = TaesdWeightSource.open(Fixtures.variant("taesd"));
             Pipeline p = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()))) {
            p.useTaesd(Taesd.load(w, m, DataType.FLOAT32), false);
            List<Progress> events = new ArrayList<>();
            Result r = p.generate(Request.builder(Mode.TXT2IMG).prompt("a cat").steps(2).size(64, 64).seed(3).build(),
                    events::add, new CancellationToken());
            assertEquals(2, events.size());
            // sd1-tiny's VAE has factor 2 (32² latents), TAESD factor 8: previews are 8 × the latent size
            for (Progress e : events) assertEquals(32 * 8, e.preview().width(), "TAESD preview width");
            assertEquals(64, r.images().get(0).width(), "final image through the VAE");
        }
    }
}
