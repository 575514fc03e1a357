package org.diffusej.engine.pipeline;

import org.diffusej.Fixtures;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;
import org.diffusej.engine.sampler.TimestepSpacing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Turbo/Lightning models recognised by name sample with trailing spacing (1 Euler step starts at t = 999, as
 * diffusers' sdxl-turbo and SDXL-Lightning scheduler configs say) unless the request sets a spacing; Stability's
 * Turbo models default to 512², other models keep their family's size. The sdxl-tiny single file is copied under
 * the names, with its folder as config (borrowed configs do not decide the spacing; its weights are not a Turbo
 * model: only the recognition is tested).
 */
class SdxlFewStepTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sd_xl_turbo_1.0_fp16.safetensors,TRAILING,512", "dreamshaperXL_turbo.safetensors,TRAILING,1024",
            "sdxl_lightning_4step.safetensors,TRAILING,1024", "sd_xl_base_1.0.safetensors,LEADING,1024"})
    void spacingAndSizeByName(String name, TimestepSpacing spacing, int size) throws Exception {
        Path file = Files.copy(Fixtures.singleFile("sdxl-tiny"), dir.resolve(name));
        try (StableDiffusionModel model = StableDiffusionModel.load(file,
                ModelOptions.cpu().withConfig(Fixtures.diffusersDir("sdxl-tiny")))) {
            assertEquals(spacing, model.schedule().spacing());
            assertEquals(size, model.info().defaultSize());
            Sampler euler = Samplers.create("Euler", null, model.schedule());
            euler.setTimesteps(1);
            assertEquals(spacing == TimestepSpacing.TRAILING ? 999 : 1, euler.timesteps()[0], 1e-9);
            Sampler asked = Samplers.create("Euler", null, model.schedule().withSpacing("leading"));
            asked.setTimesteps(1);
            assertEquals(1, asked.timesteps()[0], 1e-9, "the request's spacing wins");
        }
    }

    @Test
    void namesRecognised() {
        assertEquals(StableDiffusionModel.FewStep.TURBO_512, StableDiffusionModel.FewStep.of("sd_turbo"));
        assertEquals(StableDiffusionModel.FewStep.TURBO_512, StableDiffusionModel.FewStep.of("sdxl-turbo"));
        assertEquals(StableDiffusionModel.FewStep.TURBO, StableDiffusionModel.FewStep.of("JuggernautXL_turbo_v2"));
        assertEquals(StableDiffusionModel.FewStep.LIGHTNING, StableDiffusionModel.FewStep.of("RealVisXL_V4.0_Lightning"));
        assertEquals(StableDiffusionModel.FewStep.NONE, StableDiffusionModel.FewStep.of("hyperRealism_v3"));
    }
}
