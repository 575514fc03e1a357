package org.diffusej.imagej;

import org.diffusej.engine.SamplerNames;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Samplers;
import org.diffusej.engine.sampler.TimestepSpacing;
import org.junit.jupiter.api.Test;
import org.scijava.plugin.Parameter;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Fiji sampler and spacing choices offer exactly the engine's samplers and spacings, each of which the engine builds. */
class SamplerChoicesTest {
    @Test
    void samplerChoicesAreTheEnginesList() throws Exception {
        Parameter p = GenerationCommand.class.getDeclaredField("sampler").getAnnotation(Parameter.class);
        List<String> offered = List.of(p.choices());
        assertEquals(new java.util.TreeSet<>(SamplerNames.samplers()), new java.util.TreeSet<>(offered));
        assertEquals(SamplerNames.samplers().size(), offered.size(), "no name twice: " + offered);
        for (String name : offered) Samplers.create(name, null, NoiseSchedule.sd());
    }

    /** The spacing choice is "Model default" plus every spacing the engine accepts. */
    @Test
    void spacingChoicesAreTheEnginesSpacings() throws Exception {
        Parameter p = GenerationCommand.class.getDeclaredField("spacing").getAnnotation(Parameter.class);
        List<String> offered = List.of(p.choices());
        assertEquals(GenerationCommand.MODEL_SPACING, offered.get(0));
        List<String> engine = new java.util.ArrayList<>();
        for (TimestepSpacing s : TimestepSpacing.values()) engine.add(s.name().toLowerCase(java.util.Locale.ROOT));
        assertEquals(engine, offered.subList(1, offered.size()));
        for (String s : engine) assertEquals(s, TimestepSpacing.fromDiffusers(s).name().toLowerCase(java.util.Locale.ROOT));
    }
}
