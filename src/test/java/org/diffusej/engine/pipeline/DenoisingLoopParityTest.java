package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWeightSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.NoiseSource;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The txt2img denoising loop against diffusers' StableDiffusionPipeline ({@code reference/pipelines/txt2img_*}):
 * recorded prompt embeddings and unit noise in, recorded step noise injected in order; every step's latents and the
 * final latents within atol 1e-3 (fixtures README: 4–10 step pipelines, CFG 7.5 amplifies BLAS differences); DDIM
 * runs also compare each UNet input and output (atol 1e-3).
 */
class DenoisingLoopParityTest {
    static final double ATOL = 1e-3;

    static NoiseSchedule schedule(String variant) throws Exception {
        String v = variant.equals("sd2-tiny") ? "sd2-tiny" : "sd1-tiny"; // sd1-inpaint-tiny and sd15-shape share sd1's
        return NoiseSchedule.fromDiffusersConfig(Fixtures.diffusersDir(v).resolve("scheduler/scheduler_config.json"));
    }

    static List<NDArray> recordedNoise(SafetensorsFile f, NDManager m) throws Exception {
        List<NDArray> noise = new ArrayList<>();
        for (int k = 0; f.contains("noise_" + k); k++) noise.add(f.load("noise_" + k, m));
        return noise;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"sd1-tiny,DDIMScheduler", "sd1-tiny,EulerDiscreteScheduler", "sd1-tiny,PNDMScheduler",
            "sd1-tiny,DPMSolverMultistepScheduler", "sd1-tiny,EulerAncestralDiscreteScheduler",
            "sd2-tiny,DDIMScheduler", "sd2-tiny,EulerDiscreteScheduler",
            "sd15-shape,DDIMScheduler", "sd15-shape,EulerDiscreteScheduler"})
    void txt2imgLatentsMatchDiffusers(String variant, String scheduler) throws Exception {
        Path file = Fixtures.reference(variant, "pipelines/txt2img_" + scheduler + ".safetensors");
        try (NDManager m = NDManager.newBaseManager();
             SafetensorsWeightSource w = new SafetensorsWeightSource(SafetensorsFile.open(Fixtures.singleFile(variant)));
             SafetensorsFile ref = SafetensorsFile.open(file);
             UNet unet = UNet.load(w, Fixtures.unetConfig(variant, w), m, DataType.FLOAT32)) {
            JsonObject call = Fixtures.pipelineRun(variant, "txt2img_" + scheduler); // diffusers' call arguments
            Sampler sampler = Samplers.create(scheduler, null, schedule(variant));
            sampler.setTimesteps(call.get("num_inference_steps").getAsInt());
            assertAllClose(ref.load("timesteps", m), m.create(sampler.timesteps()), 0, 0, "timesteps");
            RecordingUNet recording = new RecordingUNet(unet::forward);
            DenoisingLoop loop = new DenoisingLoop(recording, sampler, call.get("guidance_scale").getAsDouble(),
                    ref.load("negative_prompt_embeds", m), ref.load("prompt_embeds", m));
            NDArray latents = ref.load("input_latents", m).mul(sampler.initNoiseSigma());
            NDArray steps = ref.load("step_latents", m);
            NDArray result = loop.run(latents, 0, null, NoiseSource.replay(recordedNoise(ref, m)),
                    (step, total, x) -> assertAllClose(steps.get(step - 1), x, ATOL, 0, "step " + step));
            assertAllClose(ref.load("final_latents", m), result, ATOL, 0, "final latents");
            if (ref.contains("unet_input")) recording.assertMatches(ref, m, ATOL);
        }
    }

    /** Keeps every UNet input and output to compare with diffusers' recorded ones. */
    static final class RecordingUNet implements DenoisingLoop.NoisePredictor {
        DenoisingLoop.NoisePredictor inner;
        final List<float[]> inputs = new ArrayList<>();
        final List<float[]> outputs = new ArrayList<>();
        final List<Float> timesteps = new ArrayList<>();

        RecordingUNet(DenoisingLoop.NoisePredictor inner) { this.inner = inner; }

        /** Records around {@code predictor} from now on. */
        RecordingUNet wrapping(DenoisingLoop.NoisePredictor predictor) {
            inner = predictor;
            return this;
        }

        @Override
        public NDArray predict(NDArray sample, NDArray t, NDArray context) {
            NDArray out = inner.predict(sample, t, context);
            inputs.add(sample.toFloatArray());
            outputs.add(out.toFloatArray());
            timesteps.add(t.toFloatArray()[0]);
            return out;
        }

        void assertMatches(SafetensorsFile ref, NDManager m, double atol) throws Exception {
            NDArray in = ref.load("unet_input", m);
            NDArray out = ref.load("unet_output", m);
            float[] t = ref.readFloats("unet_timestep");
            assertEquals(in.getShape().get(0), inputs.size(), "UNet calls");
            for (int i = 0; i < inputs.size(); i++) {
                assertEquals(t[i], timesteps.get(i), 0f, "unet timestep " + i);
                assertAllClose(in.get(i), m.create(inputs.get(i), in.get(i).getShape()), atol, 0, "unet input " + i);
                assertAllClose(out.get(i), m.create(outputs.get(i), out.get(i).getShape()), atol, 0, "unet output " + i);
            }
        }
    }
}
