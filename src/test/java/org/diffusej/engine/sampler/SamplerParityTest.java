package org.diffusej.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every sampler against diffusers 0.30.3's schedulers ({@code reference/schedulers}) for sd1-tiny (epsilon) and
 * sd2-tiny (v-prediction): timesteps, sigmas and a full 10-step loop on [1,4,8,8] with the recorded model outputs
 * and step noise. Tolerance atol 1e-5 throughout; the free-running loops (our own latents are fed back, as diffusers
 * did) also allow rtol 5e-7 (4 float32 ulps): DPM++ and LCM latents reach |x| ≈ 50 with these random model outputs,
 * where one ulp is 3.8e-6, and torch 1.13's float32 log/exp differ from Java's by an ulp now and then.
 * DPM++ 2M Karras gets rtol 2e-6: its sigmas span the training sigma range, and our ᾱ_999 is 1 ulp from torch's
 * (torch 1.13's float32 linspace rounds 272 of the 1000 betas differently; see trainingScheduleMatchesTorch), so
 * sigma_max is 2 ulps off and the second-order updates carry that along.
 */
class SamplerParityTest {
    static final float ATOL = 1e-5f;
    static final float LOOP_RTOL = 5e-7f;
    static final float KARRAS_LOOP_RTOL = 2e-6f;
    static float loopRtol = LOOP_RTOL;
    static final List<String> FILES = List.of("DDIMScheduler", "PNDMScheduler", "EulerDiscreteScheduler",
            "EulerAncestralDiscreteScheduler", "DPMSolverMultistepScheduler", "DPMSolverMultistepScheduler_karras",
            "LCMScheduler");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String v : List.of("sd1-tiny", "sd2-tiny")) for (String f : FILES) out.add(Arguments.of(v, f));
        return out.stream();
    }

    static NoiseSchedule schedule(String variant) throws Exception {
        return NoiseSchedule.fromDiffusersConfig(
                Fixtures.diffusersDir(variant).resolve("scheduler").resolve("scheduler_config.json"));
    }

    static Sampler sampler(String file, NoiseSchedule s) throws Exception {
        boolean karras = file.endsWith("_karras");
        return Samplers.create(karras ? file.substring(0, file.length() - 7) : file, karras ? "Karras" : null, s);
    }

    static Path ref(String variant, String file) {
        return Fixtures.reference(variant, "schedulers/" + file);
    }

    @Test
    void trainingScheduleMatchesTorch() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(ref("sd1-tiny", "train_schedule.safetensors"))) {
            assertClose(f.readFloats("betas"), NoiseSchedule.sd().betas(), 1e-8f, "betas (float32 ulp ~9e-10 at 0.0078: torch's vectorised linspace rounds differently)");
            assertClose(f.readFloats("alphas_cumprod"), NoiseSchedule.sd().alphasCumprod(), 1e-7f, "alphas_cumprod");
        }
    }

    @ParameterizedTest(name = "{0} {1} 25 steps")
    @MethodSource("cases")
    void timestepsAndSigmasFor25Steps(String variant, String file) throws Exception {
        Sampler s = sampler(file, schedule(variant));
        s.setTimesteps(25);
        try (SafetensorsFile f = SafetensorsFile.open(ref(variant, file + "_25.safetensors"))) {
            assertClose(f.readFloats("timesteps"), s.timesteps(), ATOL, "timesteps");
            if (f.contains("sigmas")) assertClose(f.readFloats("sigmas"), sigmasOf(s), ATOL, "sigmas");
        }
    }

    @ParameterizedTest(name = "{0} {1} 10-step loop")
    @MethodSource("cases")
    void tenStepLoopMatchesDiffusers(String variant, String file) throws Exception {
        NoiseSchedule schedule = schedule(variant);
        Sampler s = sampler(file, schedule);
        s.setTimesteps(10);
        loopRtol = file.endsWith("_karras") ? KARRAS_LOOP_RTOL : LOOP_RTOL;
        try (SafetensorsFile f = SafetensorsFile.open(ref(variant, file + "_10.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            float[] ts = f.readFloats("timesteps");
            assertClose(ts, s.timesteps(), ATOL, "timesteps");
            if (f.contains("sigmas")) assertClose(f.readFloats("sigmas"), sigmasOf(s), ATOL, "sigmas");
            List<NDArray> stepNoise = new ArrayList<>();
            if (f.contains("step_noise")) {
                NDArray all = f.load("step_noise", m);
                for (int k = 0; k < all.getShape().get(0); k++) stepNoise.add(all.get(k));
            }
            NoiseSource noise = NoiseSource.replay(stepNoise);
            NDArray modelOutputs = f.load("model_output", m);
            NDArray sample = f.load("sample_0", m);
            for (int i = 0; i < ts.length; i++) {
                String at = file + " step " + i;
                assertClose(f.load("scaled_model_input", m).get(i), s.scaleModelInput(sample, i), at + " scaled_model_input");
                Sampler.StepResult r = s.step(modelOutputs.get(i), i, sample, noise);
                assertClose(f.load("prev_sample", m).get(i), r.prevSample(), at + " prev_sample");
                if (f.contains("pred_original_sample"))
                    assertClose(f.load("pred_original_sample", m).get(i), r.predOriginal(), at + " pred_original_sample");
                sample = r.prevSample();
            }
            // every recorded draw was consumed (and none more: replay fails on an extra draw)
            if (!stepNoise.isEmpty()) {
                NDArray extra = null;
                try { extra = noise.next(new Shape(1, 4, 8, 8), m); } catch (IllegalStateException expected) { }
                assertEquals(null, extra, "sampler drew fewer noise tensors than diffusers");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} add_noise")
    @MethodSource("addNoiseCases")
    void addNoiseMatches(String variant, String file) throws Exception {
        Sampler s = sampler(file, schedule(variant));
        s.setTimesteps(10);
        try (SafetensorsFile f = SafetensorsFile.open(ref(variant, file + "_add_noise.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(f.readFloats("timestep")[0], s.timesteps()[4], 0f);
            assertClose(f.load("noisy", m), s.addNoise(f.load("original", m), f.load("noise", m), 4), "noisy");
        }
    }

    static Stream<Arguments> addNoiseCases() {
        return Stream.of("sd1-tiny", "sd2-tiny").flatMap(v -> Stream.of(
                Arguments.of(v, "DDIMScheduler"), Arguments.of(v, "EulerDiscreteScheduler")));
    }

    /** Euler's init_noise_sigma = sqrt(sigma_max² + 1), against what diffusers recorded in schedulers.json. */
    @ParameterizedTest(name = "{0} {1} steps")
    @CsvSource({"sd1-tiny,10", "sd1-tiny,25", "sd2-tiny,10", "sd2-tiny,25"})
    void initNoiseSigmaOfEulerIsSqrtOfMaxSigmaSquaredPlusOne(String variant, int steps) throws Exception {
        Sampler s = Samplers.create("Euler", null, schedule(variant));
        s.setTimesteps(steps);
        JsonObject recorded = Fixtures.schedulerRun(variant, "EulerDiscreteScheduler_" + steps + ".safetensors");
        assertEquals(recorded.get("init_noise_sigma").getAsDouble(), s.initNoiseSigma(), 1e-5);
        float sigmaMax = sigmasOf(s)[0];
        assertEquals(Math.sqrt((double) sigmaMax * sigmaMax + 1), s.initNoiseSigma(), 1e-5);
    }

    private static float[] sigmasOf(Sampler s) {
        if (s instanceof SigmaSpaceSampler k) return k.sigmas();
        if (s instanceof DpmPlusPlus2MSampler d) return d.sigmas();
        throw new AssertionError(s.name() + " has no sigmas");
    }

    static void assertClose(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape().size(), actual.getShape().size(), what + " size");
        assertClose(expected.toFloatArray(), actual.toFloatArray(), ATOL, loopRtol, what);
    }

    static void assertClose(float[] expected, float[] actual, float atol, String what) {
        assertClose(expected, actual, atol, 0f, what);
    }

    /** |expected - actual| ≤ atol + rtol·|expected| elementwise. */
    static void assertClose(float[] expected, float[] actual, float atol, float rtol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = -1;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double excess = Math.abs((double) expected[i] - actual[i]) - (atol + rtol * Math.abs(expected[i]));
            if (!(excess <= worst)) { worst = excess; at = i; }
        }
        assertTrue(worst <= 0, what + ": |diff| over atol " + atol + " + rtol " + rtol + " at " + at + " (expected "
                + expected[at] + ", got " + actual[at] + ")");
    }
}
