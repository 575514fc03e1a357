package org.diffusej.engine.pipeline;

import org.diffusej.engine.NoiseSource;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 9-channel inpainting model serves txt2img and img2img without a mask (regression for "sample must be
 * [N, 9, h, w]"), with the extra UNet input AUTOMATIC1111 builds in {@code txt2img_image_conditioning} and
 * {@code img2img_image_conditioning} (default {@code inpainting_mask_weight} 1): channel 4 is a mask of ones, channels
 * 5–8 the scaled VAE latents of an all-zero (mid-grey) image in [−1, 1].
 */
class InpaintingModelModesTest {
    /** float32 VAE on CPU: the captured input and the directly encoded grey agree to this. */
    private static final double ATOL = 1e-5;
    static StableDiffusionModel model;
    static Pipeline pipeline;
    static final List<float[]> extraInputs = new ArrayList<>();
    static final List<Shape> shapes = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        model = StableDiffusionModel.load(Fixtures.diffusersDir("sd1-inpaint-tiny"), ModelOptions.cpu());
        pipeline = new Pipeline(model, NoiseSource::seeded, Pipeline.DEFAULT_MAX_PIXELS,
                Pipeline.Hooks.NONE.wrapping(unet -> (sample, t, ctx) -> {
                    shapes.add(sample.getShape());
                    if (sample.getShape().get(1) == 9) extraInputs.add(sample.get(":, 4:9").toFloatArray());
                    return unet.predict(sample, t, ctx);
                }));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static Result run(Request r) throws Exception {
        extraInputs.clear();
        shapes.clear();
        return pipeline.generate(r, ProgressListener.NONE, new CancellationToken());
    }

    /** The expected channels 4–8 for one batch item at 64×64 (latents 8×8), computed from the VAE directly. */
    private static float[] expectedOneItem() {
        try (NDArray grey = model.manager().zeros(new Shape(1, 3, 64, 64))) {
            NDArray moments = model.vae().encodeMoments(grey);
            NDList parts = moments.split(2, 1);
            float[] mean = parts.get(0).mul((float) model.vae().config().scalingFactor()).toFloatArray();
            moments.close();
            parts.close();
            int plane = mean.length / 4;
            float[] out = new float[plane * 5];
            for (int i = 0; i < plane; i++) out[i] = 1f;
            System.arraycopy(mean, 0, out, plane, mean.length);
            return out;
        }
    }

    private static void assertExtraInputIsWholeImageMask(int batch) {
        assertTrue(!extraInputs.isEmpty(), "the UNet never saw 9 channels: " + shapes);
        float[] one = expectedOneItem();
        for (float[] got : extraInputs) {
            // with CFG the batch is doubled (unconditional first): every item carries the same extra input
            assertEquals(0, got.length % one.length);
            assertEquals(batch * 2, got.length / one.length, "items in the UNet batch");
            for (int i = 0; i < got.length; i++)
                assertEquals(one[i % one.length], got[i], ATOL, "extra input value " + i);
        }
    }

    @Test
    void txt2imgOnAnInpaintingModel() throws Exception {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").size(64, 64).steps(3).sampler("Euler a")
                .seed(7).batchSize(2).build();
        Result a = run(r);
        assertEquals(2, a.images().size());
        assertEquals(64, a.images().get(0).width());
        assertExtraInputIsWholeImageMask(2);
        assertEquals(a.images(), run(r).images(), "same seed, same images");
    }

    @Test
    void img2imgWithoutMaskOnAnInpaintingModel() throws Exception {
        RgbImage init = PipelineParityTest.png(Fixtures.input("init_image.png"));
        Request r = Request.builder(Mode.IMG2IMG).prompt("a photo of a cat").initImage(init).strength(0.6).steps(4)
                .sampler("DDIM").seed(3).build();
        Result a = run(r);
        assertEquals(1, a.images().size());
        assertEquals(init.width(), a.images().get(0).width());
        assertExtraInputIsWholeImageMask(1);
        assertEquals(2, extraInputs.size(), "strength 0.6 of 4 steps runs 2 UNet calls");
        assertTrue(PipelineTest.maxDiff(a.images().get(0), init) > 1e-2, "img2img changed the image");
    }

    @Test
    void hiresFixOnAnInpaintingModel() throws Exception {
        // A1111's hires pass on an inpainting model: img2img_image_conditioning at the hires size, i.e. again a mask
        // of ones and the grey image's latents, now 16×16 (the 64×64 item's values tile: the VAE of a flat image)
        Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat").size(64, 64).steps(2).sampler("Euler")
                .seed(7).hires(new Request.Hires(2, Request.Hires.LATENT, 2, 1.0)).build();
        Result a = run(r);
        assertEquals(128, a.images().get(0).width());
        long nine = shapes.stream().filter(s -> s.get(1) == 9).count();
        assertEquals(shapes.size(), nine, "every UNet call got the 9-channel input: " + shapes);
        Shape last = shapes.get(shapes.size() - 1);
        assertEquals(2 * shapes.get(0).get(3), last.get(3), "the second pass runs at twice the latent size");
        float[] hires = extraInputs.get(extraInputs.size() - 1);
        int plane = (int) (last.get(2) * last.get(3));
        for (int i = 0; i < plane; i++) assertEquals(1f, hires[i], 0f, "mask of ones");
    }
}
