package org.diffusej.engine.pipeline;

import org.diffusej.engine.NoiseSource;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.infotext.Infotext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request's own {@code timestep_spacing} overrides the model's (sd1-tiny: leading): the timesteps the UNet sees in a
 * real {@link Pipeline} run equal diffusers' for that spacing ({@code schedules/schedules.json}, SD1.5 betas as
 * sd1-tiny's), within atol 1e-4 (timesteps are integers or float32 fractions), and the spacing is recorded.
 */
class RequestSpacingParityTest {
    static final double ATOL = 1e-4;

    @ParameterizedTest(name = "{0} {1} {2} steps")
    @CsvSource({"Euler,EulerDiscreteScheduler,trailing,4", "DDIM,DDIMScheduler,trailing,4",
            "DPM++ 2M,DPMSolverMultistepScheduler,trailing,4", "Euler,EulerDiscreteScheduler,linspace,4",
            "Euler,EulerDiscreteScheduler,trailing,1"})
    void unetSeesTheFixtureTimesteps(String sampler, String diffusersName, String spacing, int steps) throws Exception {
        double[] expected = expected(diffusersName, spacing, steps);
        List<Double> seen = new ArrayList<>();
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()),
                NoiseSource::seeded, Pipeline.DEFAULT_MAX_PIXELS, Pipeline.Hooks.NONE.wrapping(inner -> (s, t, c) -> {
                    seen.add(t.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray()[0]);
                    return inner.predict(s, t, c);
                }))) {
            Result r = p.generate(Request.builder(Mode.TXT2IMG).prompt("a cat").cfgScale(0).steps(steps)
                    .sampler(sampler).timestepSpacing(spacing).size(64, 64).seed(1).build(),
                    ProgressListener.NONE, new CancellationToken());
            assertEquals(expected.length, seen.size(), "UNet calls");
            for (int i = 0; i < expected.length; i++)
                assertEquals(expected[i], seen.get(i), ATOL, sampler + " " + spacing + " timestep " + i);
            assertEquals(spacing, Infotext.parse(r.infotexts().get(0)).get(Infotext.SCHEDULE_SPACING));
        }
    }

    @Test
    void unknownSpacingIsRefusedByName() throws Exception {
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sd1-tiny"), ModelOptions.cpu()))) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> p.generate(
                    Request.builder(Mode.TXT2IMG).prompt("a cat").steps(1).timestepSpacing("even").size(64, 64).build(),
                    ProgressListener.NONE, new CancellationToken()));
            assertTrue(e.getMessage().contains("even") && e.getMessage().contains("trailing"), e.getMessage());
        }
    }

    static double[] expected(String name, String spacing, int steps) throws Exception {
        JsonObject all = JsonParser.parseString(Files.readString(Fixtures.variant("schedules").resolve("schedules.json")))
                .getAsJsonObject();
        for (JsonElement e : all.getAsJsonArray("entries")) {
            JsonObject o = e.getAsJsonObject();
            if (o.get("name").getAsString().equals(name) && o.get("timestep_spacing").getAsString().equals(spacing)
                    && o.get("num_inference_steps").getAsInt() == steps) {
                double[] t = new double[o.getAsJsonArray("timesteps").size()];
                for (int i = 0; i < t.length; i++) t[i] = o.getAsJsonArray("timesteps").get(i).getAsDouble();
                return t;
            }
        }
        throw new AssertionError("no schedules.json entry " + name + " " + spacing + " " + steps);
    }
}
