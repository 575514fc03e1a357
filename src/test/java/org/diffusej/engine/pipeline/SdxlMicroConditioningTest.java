package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.diffusej.Fixtures;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;
import org.diffusej.engine.text.DualPromptEncoder;
import org.diffusej.engine.unet.MicroConditioning;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;

import static org.diffusej.engine.nn.AllClose.assertAllClose;

/**
 * SDXL micro-conditioning with non-default time ids ({@code txt2img_EulerDiscreteScheduler_microcond}: original size
 * (512, 768), crop (16, 32), target (1024, 896); negative (256, 384), (8, 4), (640, 512)): the prompts encoded by
 * {@link DualPromptEncoder}, the ids through {@link AddedConditioning}, 2 Euler steps in the {@link DenoisingLoop};
 * the ids, the UNet's conditioning and every step's latents match diffusers within atol 1e-3.
 */
class SdxlMicroConditioningTest {
    @Test
    void nonDefaultTimeIdsMatchDiffusers() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sdxl-tiny",
                     "pipelines/txt2img_EulerDiscreteScheduler_microcond.safetensors"));
             StableDiffusionModel model = SdxlPipelineParityTest.load("sdxl-tiny")) {
            float[] ids = ref.readFloats("add_time_ids");                                   // [2, 6], row 0 negative
            MicroConditioning negative = new MicroConditioning(256, 384, 8, 4, 640, 512);
            MicroConditioning positive = new MicroConditioning(512, 768, 16, 32, 1024, 896);
            assertAllClose(m.create(ids), negative.timeIds(m).concat(positive.timeIds(m), 0).reshape(-1), 0, 0, "time ids");
            StableDiffusionModel.Xl xl = model.xl();
            DualPromptEncoder prompts = new DualPromptEncoder(model.tokenizer(), xl.tokenizer2(), xl.textEncoders(), true);
            try (DualPromptEncoder.Conditioning c = prompts.encodePair("a photo of a cat", "blurry, low quality", 1, m)) {
                NDArray embeds = ref.load("prompt_embeds_cfg", m);
                assertAllClose(embeds, c.context().negative().concat(c.context().positive(), 0), 1e-4, 1e-4, "prompt embeds");
                assertAllClose(ref.load("add_text_embeds", m), c.pooledNegative().concat(c.pooledPositive(), 0), 1e-4, 1e-4,
                        "pooled");
                Sampler sampler = Samplers.create("EulerDiscreteScheduler", null, model.schedule());
                sampler.setTimesteps(2);
                AddedConditioning added = new AddedConditioning(c.pooledNegative(), c.pooledPositive());
                DenoisingLoop loop = new DenoisingLoop(added.predictor(model.unet(), 1, negative, positive, m), sampler, 5.0,
                        c.context().negative(), c.context().positive());
                NDArray steps = ref.load("step_latents", m);
                NDArray latents = ref.load("input_latents", m).mul(sampler.initNoiseSigma());
                NDArray result = loop.run(latents, 0, null, NoiseSource.replay(DenoisingLoopParityTest.recordedNoise(ref, m)),
                        (step, total, x) -> assertAllClose(steps.get(step - 1), x, 1e-3, 0, "step " + step));
                assertAllClose(ref.load("final_latents", m), result, 1e-3, 0, "final latents");
            }
        }
    }
}
