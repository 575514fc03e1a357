package org.diffusej.engine.sampler;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.diffusej.engine.sampler.SamplerParityTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code timestep_spacing} leading / trailing / linspace for every sampler against diffusers 0.30.3
 * ({@code schedules/schedules.json}: every scheduler × spacing × 1, 2, 4, 8, 20 steps): timesteps, sigmas,
 * init_noise_sigma, and for 4 steps the img2img (strength 0.5) slice. Tolerance atol 1e-5 as in
 * {@link SamplerParityTest}: timesteps are integers or float32 fractions, sigmas float32 up to 14.6 (rtol 5e-7
 * covers the 1-ulp float32 log/exp differences there).
 */
class TimestepSpacingParityTest {
    static final float ATOL = 1e-5f;
    static final float RTOL = 5e-7f;
    static final double IMG2IMG_STRENGTH = 0.5;

    static JsonObject schedules() throws Exception {
        return JsonParser.parseString(Files.readString(Fixtures.variant("schedules").resolve("schedules.json")))
                .getAsJsonObject();
    }

    static Stream<Arguments> entries() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (JsonElement e : schedules().getAsJsonArray("entries")) {
            JsonObject o = e.getAsJsonObject();
            if (!o.get("ok").getAsBoolean()) continue;
            out.add(Arguments.of(o.get("name").getAsString(), o.get("timestep_spacing").getAsString(),
                    o.get("num_inference_steps").getAsInt(), o));
        }
        return out.stream();
    }

    /** The base config with the entry's spacing, through the same reader a model folder goes through. */
    static NoiseSchedule schedule(String spacing, Path dir) throws Exception {
        JsonObject config = schedules().getAsJsonObject("base_config").deepCopy();
        config.addProperty("timestep_spacing", spacing);
        Path json = Files.writeString(dir.resolve("scheduler_config_" + spacing + ".json"), config.toString());
        return NoiseSchedule.fromDiffusersConfig(json);
    }

    @ParameterizedTest(name = "{0} {1} {2} steps")
    @MethodSource("entries")
    void matchesDiffusers(String name, String spacing, int steps, JsonObject expected, @TempDir Path dir) throws Exception {
        Sampler s = SamplerParityTest.sampler(name, schedule(spacing, dir));
        s.setTimesteps(steps);
        String at = name + " " + spacing + " n=" + steps;
        assertClose(floats(expected.getAsJsonArray("timesteps")), s.timesteps(), ATOL, RTOL, at + " timesteps");
        if (expected.has("sigmas"))
            assertClose(floats(expected.getAsJsonArray("sigmas")), sigmas(s), ATOL, RTOL, at + " sigmas");
        assertEquals(expected.get("init_noise_sigma").getAsFloat(), s.initNoiseSigma(),
                ATOL + RTOL * expected.get("init_noise_sigma").getAsFloat(), at + " init_noise_sigma");
        if (!expected.has("img2img_strength_0.5")) return;
        JsonObject img2img = expected.getAsJsonObject("img2img_strength_0.5");
        float[] run;
        if (s instanceof LcmSampler lcm) {        // LCM's img2img shortens its distillation grid instead of slicing
            lcm.setTimesteps(steps, IMG2IMG_STRENGTH);
            run = lcm.timesteps();
        } else {
            int start = s.startIndex(IMG2IMG_STRENGTH);
            run = Arrays.copyOfRange(s.timesteps(), start, s.timesteps().length);
            if (img2img.has("sigmas_from_begin_index"))
                assertClose(floats(img2img.getAsJsonArray("sigmas_from_begin_index")),
                        Arrays.copyOfRange(sigmas(s), start, sigmas(s).length), ATOL, RTOL, at + " img2img sigmas");
        }
        assertClose(floats(img2img.getAsJsonArray("timesteps")), run, ATOL, RTOL, at + " img2img timesteps");
        assertEquals(img2img.get("n_steps").getAsInt(), s instanceof PlmsSampler ? run.length - 1 : run.length,
                at + " img2img steps");
    }

    /** diffusers' refusals (edge_case_probes) are refused here too, with a message naming the limit. */
    @Test
    void refusalsOfDiffusersAreRefused(@TempDir Path dir) throws Exception {
        NoiseSchedule leading = schedule("leading", dir);
        IllegalArgumentException ddim = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("DDIM", null, leading).setTimesteps(leading.numTrainTimesteps() + 1));
        assertTrue(ddim.getMessage().contains(Integer.toString(leading.numTrainTimesteps())), ddim.getMessage());
        IllegalArgumentException lcm = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("LCM", null, leading).setTimesteps(LcmSampler.ORIGINAL_STEPS + 10));
        assertTrue(lcm.getMessage().contains(Integer.toString(LcmSampler.ORIGINAL_STEPS)), lcm.getMessage());
        IllegalArgumentException spacing = assertThrows(IllegalArgumentException.class,
                () -> TimestepSpacing.fromDiffusers("foo"));
        assertTrue(spacing.getMessage().contains("leading") && spacing.getMessage().contains("trailing"),
                spacing.getMessage());
    }

    static float[] sigmas(Sampler s) {
        if (s instanceof SigmaSpaceSampler k) return k.sigmas();
        if (s instanceof DpmPlusPlus2MSampler d) return d.sigmas();
        throw new AssertionError(s.name() + " has no sigmas");
    }

    static float[] floats(JsonArray a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = a.get(i).getAsFloat();
        return f;
    }
}
