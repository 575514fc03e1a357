package org.diffusej.cli;

import org.diffusej.engine.SamplerNames;
import org.diffusej.engine.sampler.NoiseSchedule;
import org.diffusej.engine.sampler.Samplers;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's sampler and scheduler candidates are the engine's lists, each of which the engine builds. */
class SamplerChoicesTest {
    private static List<String> candidates(String option) {
        OptionSpec o = CommandSpec.forAnnotatedObject(new SamplingOptions()).findOption(option);
        List<String> out = new ArrayList<>();
        o.completionCandidates().forEach(out::add);
        return out;
    }

    @Test
    void candidatesAreTheEnginesLists() throws Exception {
        assertEquals(SamplerNames.samplers(), candidates("--sampler"));
        assertEquals(SamplerNames.schedulers(), candidates("--scheduler"));
        for (String name : candidates("--sampler"))
            for (String schedule : candidates("--scheduler")) Samplers.create(name, schedule, NoiseSchedule.sd());
        String help = CommandSpec.forAnnotatedObject(new SamplingOptions()).findOption("--sampler").description()[0];
        assertTrue(help.contains(String.join(", ", SamplerNames.samplers())) || help.contains("COMPLETION-CANDIDATES"), help);
    }
}
