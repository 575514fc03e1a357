package org.diffusej.engine.pipeline;

import org.diffusej.engine.NoiseSource;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Progress;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hires fix on the tiny sd1 model: output size = scale × base, the second pass runs at the upscaled latent size
 * for the steps img2img would run (steps × strength), progress counts both passes, infotext as A1111 writes it, and
 * bad hires settings are refused. The upscaler's bilinear resize is checked against hand-computed values.
 */
class HiresPassTest {
    static Pipeline pipeline;
    static final List<Shape> calls = new ArrayList<>();
    /** Wraps the UNet of the runs that set it (identity otherwise). */
    static final java.util.concurrent.atomic.AtomicReference<java.util.function.UnaryOperator<DenoisingLoop.NoisePredictor>>
            wrapper = new java.util.concurrent.atomic.AtomicReference<>(java.util.function.UnaryOperator.identity());

    @BeforeAll
    static void load() throws Exception {
        pipeline = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()),
                NoiseSource::seeded, Pipeline.DEFAULT_MAX_PIXELS,
                Pipeline.Hooks.NONE.observing((step, total, x) -> calls.add(x.getShape()))
                        .wrapping(unet -> wrapper.get().apply(unet)));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    static Request.Builder txt2img() {
        return Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").size(64, 64).steps(2).sampler("Euler a").seed(42);
    }

    static Result run(Request r, List<Progress> progress) throws Exception {
        calls.clear();
        return pipeline.generate(r, progress::add, new CancellationToken());
    }

    @Test
    void latentUpscaleDoublesTheSizeAndRunsTheSecondPass() throws Exception {
        List<Progress> progress = new ArrayList<>();
        Request r = txt2img().hires(new Request.Hires(2, "Latent", 4, 0.5)).build();
        Result res = run(r, progress);
        assertEquals(128, res.images().get(0).width());
        assertEquals(128, res.images().get(0).height());
        // 2 first-pass steps at the base latent size, then int(4 × 0.5) = 2 steps at twice that (the tiny VAE's
        // factor is read from the first call: 64 px / latent width)
        long base = calls.get(0).get(3), f = 64 / base;
        assertEquals(List.of(new Shape(1, 4, base, base), new Shape(1, 4, base, base),
                new Shape(1, 4, 128 / f, 128 / f), new Shape(1, 4, 128 / f, 128 / f)), calls);
        assertEquals(4, progress.get(progress.size() - 1).total(), "progress counts both passes");
        Map<String, Object> p = Infotext.parse(res.infotexts().get(0));
        assertEquals("64", p.get("Size-1"), "Size is the first pass's, as A1111 writes it");
        assertEquals("2", p.get("Hires upscale"));
        assertEquals("4", p.get("Hires steps"));
        assertEquals("Latent", p.get("Hires upscaler"));
        assertEquals("0.5", p.get("Denoising strength"));
        Result plain = run(txt2img().build(), new ArrayList<>());
        assertEquals(64, plain.images().get(0).width());
    }

    @Test
    void lanczosUpscaleWithATwoStageSamplerAndTheFirstPassSteps() throws Exception {
        Request r = txt2img().sampler("Heun").hires(new Request.Hires(1.5, "Lanczos", 0, 1.0)).build();
        Result res = run(r, new ArrayList<>());
        assertEquals(96, res.images().get(0).width());
        // Heun: 2 steps = 3 UNet calls per pass, at 64 px then 96 px latent size
        long base = calls.get(0).get(3), f = 64 / base;
        assertEquals(6, calls.size());
        assertEquals(3, calls.stream().filter(s -> s.equals(new Shape(1, 4, base, base))).count());
        assertEquals(3, calls.stream().filter(s -> s.equals(new Shape(1, 4, 96 / f, 96 / f))).count());
        assertTrue(res.infotexts().get(0).contains("Hires upscale: 1.5, Hires upscaler: Lanczos"), res.infotexts().get(0));
    }

    @Test
    void badHiresSettingsAreRefused() {
        assertThrows(InvalidRequestException.class,
                () -> run(txt2img().hires(new Request.Hires(2, "ESRGAN_4x", 0, 0.5)).build(), new ArrayList<>()));
        assertThrows(InvalidRequestException.class,
                () -> run(txt2img().hires(new Request.Hires(5, "Latent", 0, 0.5)).build(), new ArrayList<>()));
        assertThrows(InvalidRequestException.class,
                () -> run(txt2img().hires(new Request.Hires(2, "Latent", 0, 1.5)).build(), new ArrayList<>()));
        assertThrows(InvalidRequestException.class, () -> run(txt2img().mode(Mode.IMG2IMG)
                .hires(new Request.Hires(2, "Latent", 0, 0.5)).build(), new ArrayList<>()));
    }

    @Test
    void bilinearUsesHalfPixelCentres() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));
            float[] out = HiresPass.bilinear(x, 4, 4).toFloatArray();
            // torch.nn.functional.interpolate(x, size=4, mode="bilinear", align_corners=False), worked by hand:
            // source x = (i + 0.5)/2 − 0.5 clamped to [0, 1] → 0, 0.25, 0.75, 1; rows the same with weight 2
            assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f,
                    2, 2.25f, 2.75f, 3}, out, 1e-6f);
        }
    }

    static HiresPass.Size size(int w, int h, Request.Hires hr) {
        return HiresPass.Size.of(Request.builder(Mode.TXT2IMG).size(w, h).hires(hr).build());
    }

    static Request.Hires resize(int x, int y) {
        return new Request.Hires(2, "Latent", 0, 0.5, x, y, null, null, "", "");
    }

    @Test
    void targetSizesFollowA1111() {
        // A1111's calculate_target_resolution: int(size × scale); one side 0 keeps the aspect (floor division); both
        // set: upscale to cover the target at the base aspect, then centre-crop (truncate_x/y)
        assertEquals(new HiresPass.Size(680, 1021, 680, 1021), size(512, 768, new Request.Hires(1.33, "Latent", 0, 0.5)));
        assertEquals(new HiresPass.Size(1024, 1536, 1024, 1536), size(512, 768, resize(1024, 0)));
        assertEquals(new HiresPass.Size(666, 1000, 666, 1000), size(512, 768, resize(0, 1000)));
        assertEquals(new HiresPass.Size(1024, 1024, 1024, 768), size(512, 512, resize(1024, 768)));
        assertEquals(new HiresPass.Size(1000, 1000, 700, 1000), size(512, 512, resize(700, 1000)));
        assertEquals(new HiresPass.Size(1024, 1536, 1024, 1280), size(512, 768, resize(1024, 1280)));
    }

    @Test
    void hiresResizeGivesTheTargetSizeByCroppingTheLatents() throws Exception {
        Result res = run(txt2img().hires(resize(128, 96)).build(), new ArrayList<>());
        assertEquals(128, res.images().get(0).width());
        assertEquals(96, res.images().get(0).height());
        Shape last = calls.get(calls.size() - 1);
        assertTrue(last.get(2) < last.get(3), "the second pass runs on the centre-cropped latents: " + last);
        Map<String, Object> p = Infotext.parse(res.infotexts().get(0));
        assertEquals("128", p.get("Hires resize-1"), "Hires resize: 128x96");
        assertEquals("96", p.get("Hires resize-2"));
        assertTrue(!p.containsKey("Hires upscale"), "A1111 writes Hires resize instead of Hires upscale");
        assertThrows(InvalidRequestException.class, () -> run(txt2img().hires(resize(32, 0)).build(), new ArrayList<>()));
    }

    @Test
    void hiresSamplerAndTheRequestsSpacingDriveTheSecondPass() throws Exception {
        List<Float> timesteps = new ArrayList<>();
        wrapper.set(unet -> (sample, t, ctx) -> {
            timesteps.add(t.toFloatArray()[0]);
            return unet.predict(sample, t, ctx);
        });
        try {
            Request r = txt2img().sampler("Euler").timestepSpacing("trailing")
                    .hires(new Request.Hires(1.5, "Latent", 3, 1.0, 0, 0, "Heun", null, "", "")).build();
            Result res = run(r, new ArrayList<>());
            // Euler 2 steps = 2 calls, then Heun 3 steps = 5 calls at strength 1
            assertEquals(7, timesteps.size());
            NoiseSchedule trailing = NoiseSchedule.fromDiffusersConfig(
                    Fixtures.diffusersDir("sd1-tiny").resolve("scheduler/scheduler_config.json")).withSpacing("trailing");
            float[] expected = HiresPass.sampler(r, trailing).timesteps();
            float[] leading = HiresPass.sampler(r, trailing.withSpacing("leading")).timesteps();
            assertTrue(!java.util.Arrays.equals(expected, leading), "the spacings differ for this case");
            for (int i = 0; i < expected.length; i++)
                assertEquals(expected[i], timesteps.get(2 + i), 0f, "second pass timestep " + i);
            assertEquals("Heun", Infotext.parse(res.infotexts().get(0)).get("Hires sampler"));
        } finally {
            wrapper.set(java.util.function.UnaryOperator.identity());
        }
    }

    @Test
    void hiresPromptsAreEncodedForTheSecondPass() throws Exception {
        Request.Hires same = new Request.Hires(1.5, "Latent", 2, 0.6);
        Request.Hires other = new Request.Hires(1.5, "Latent", 2, 0.6, 0, 0, null, null, "a photo of a dog", "blurry");
        Request.Hires echo = new Request.Hires(1.5, "Latent", 2, 0.6, 0, 0, null, null, "a photo of a cat", "");
        Result a = run(txt2img().hires(same).build(), new ArrayList<>());
        Result b = run(txt2img().hires(other).build(), new ArrayList<>());
        Result c = run(txt2img().hires(echo).build(), new ArrayList<>());
        // the tiny model's prompts move the image little in 1 second-pass step (measured max diff 8.6e-4; the same
        // prompts give bit-equal images, so 1e-4 is far above noise)
        assertTrue(PipelineTest.maxDiff(a.images().get(0), b.images().get(0)) > 1e-4, "another hires prompt, another image");
        assertEquals(a.images(), c.images(), "a hires prompt equal to the prompt changes nothing");
        Map<String, Object> p = Infotext.parse(b.infotexts().get(0));
        assertEquals("a photo of a dog", p.get("Hires prompt"));
        assertEquals("blurry", p.get("Hires negative prompt"));
        assertTrue(!c.infotexts().get(0).contains("Hires prompt"), "not written when equal to the prompt");
    }
}
