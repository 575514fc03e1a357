package org.diffusej.imagej;

import org.diffusej.engine.SamplerNames;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Samplers;
import org.junit.jupiter.api.Test;
import org.scijava.plugin.Parameter;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Fiji sampler choice offers exactly the engine's samplers, each of which the engine builds. */
class SamplerChoicesTest {
    @Test
    void samplerChoicesAreTheEnginesList() throws Exception {
        Parameter p = GenerationCommand.class.getDeclaredField("sampler").getAnnotation(Parameter.class);
        List<String> offered = List.of(p.choices());
        assertEquals(new java.util.TreeSet<>(SamplerNames.samplers()), new java.util.TreeSet<>(offered));
        assertEquals(SamplerNames.samplers().size(), offered.size(), "no name twice: " + offered);
        for (String name : offered) Samplers.create(name, null, NoiseSchedule.sd());
    }
}
