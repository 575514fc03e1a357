package org.diffusej.engine.sampler;

import org.diffusej.engine.DiffusionException;
import org.junit.jupiter.api.Test;
import org.diffusej.engine.PredictionType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sampler names in A1111 and diffusers style, schedulers, errors, and img2img start indices. */
class SamplersTest {
    final NoiseSchedule sd = NoiseSchedule.sd();

    @Test
    void a1111NamesCreateTheirSampler() throws Exception {
        assertInstanceOf(EulerAncestralSampler.class, Samplers.create("Euler a", null, sd));
        assertInstanceOf(EulerSampler.class, Samplers.create("Euler", "Automatic", sd));
        assertInstanceOf(DdimSampler.class, Samplers.create("DDIM", null, sd));
        assertInstanceOf(PlmsSampler.class, Samplers.create("PLMS", null, sd));
        assertInstanceOf(LcmSampler.class, Samplers.create("LCM", null, sd));
        assertEquals("DPM++ 2M", Samplers.create("DPM++ 2M", "", sd).name());
        assertEquals("DPM++ 2M Karras", Samplers.create("DPM++ 2M Karras", null, sd).name());
        assertEquals("DPM++ 2M Karras", Samplers.create("dpm++ 2m", "karras", sd).name());
    }

    @Test
    void combinedAndPairNamesGiveTheSameSchedule() throws Exception {
        Sampler combined = Samplers.create("DPM++ 2M Karras", null, sd);
        Sampler pair = Samplers.create("DPM++ 2M", "Karras", sd);
        Sampler plain = Samplers.create("DPM++ 2M", null, sd);
        combined.setTimesteps(20);
        pair.setTimesteps(20);
        plain.setTimesteps(20);
        assertArrayEquals(combined.timesteps(), pair.timesteps());
        assertNotEquals(plain.timesteps()[0], pair.timesteps()[0]);
    }

    @Test
    void diffusersClassNamesAndAliasesAreAccepted() throws Exception {
        assertInstanceOf(EulerAncestralSampler.class, Samplers.create("EulerAncestralDiscreteScheduler", null, sd));
        assertInstanceOf(EulerSampler.class, Samplers.create("EulerDiscreteScheduler", null, sd));
        assertInstanceOf(DpmPlusPlus2MSampler.class, Samplers.create("DPMSolverMultistepScheduler", null, sd));
        assertInstanceOf(DdimSampler.class, Samplers.create("DDIMScheduler", null, sd));
        assertInstanceOf(PlmsSampler.class, Samplers.create("PNDMScheduler", null, sd));
        assertInstanceOf(LcmSampler.class, Samplers.create("LCMScheduler", null, sd));
        assertInstanceOf(EulerAncestralSampler.class, Samplers.create(" k_euler_a ", null, sd));
    }

    @Test
    void addedSamplersAndSchedulesHaveTheirA1111AndDiffusersNames() throws Exception {
        assertInstanceOf(HeunSampler.class, Samplers.create("HeunDiscreteScheduler", null, sd));
        assertInstanceOf(LmsSampler.class, Samplers.create("k_lms", null, sd));
        assertInstanceOf(Dpm2Sampler.class, Samplers.create("KDPM2DiscreteScheduler", null, sd));
        assertInstanceOf(Dpm2AncestralSampler.class, Samplers.create("KDPM2AncestralDiscreteScheduler", null, sd));
        assertInstanceOf(DpmPlusPlusSdeSampler.class, Samplers.create("DPMSolverSDEScheduler", null, sd));
        assertInstanceOf(DpmPlusPlus2MSdeSampler.class, Samplers.create("k_dpmpp_2m_sde", null, sd));
        assertEquals("Heun Exponential", Samplers.create("Heun", "exponential", sd).name());
        assertEquals("DPM++ 2M SDE SGM Uniform", Samplers.create("DPM++ 2M SDE", "sgm_uniform", sd).name());
        assertEquals("DPM2 a Karras", Samplers.create("DPM2 a", "Karras", sd).name());
    }

    @Test
    void unknownSamplerListsTheValidOnes() {
        DiffusionException e = assertThrows(DiffusionException.class, () -> Samplers.create("Heun++", null, sd));
        assertTrue(e.getMessage().contains("Heun++"), e.getMessage());
        for (String n : org.diffusej.engine.SamplerNames.samplers()) assertTrue(e.getMessage().contains(n), e.getMessage());
    }

    @Test
    void unknownSchedulerListsTheValidOnes() {
        DiffusionException e = assertThrows(DiffusionException.class, () -> Samplers.create("Euler", "Cosine", sd));
        assertTrue(e.getMessage().contains("Automatic") && e.getMessage().contains("Karras"), e.getMessage());
    }

    @Test
    void namesAreTheA1111List() {
        assertEquals(java.util.List.of("Euler a", "Euler", "DPM++ 2M", "DPM++ 2M Karras", "DDIM", "PLMS", "LCM",
                        "Heun", "LMS", "DPM2", "DPM2 a", "DPM++ SDE", "DPM++ 2M SDE", "UniPC"),
                org.diffusej.engine.SamplerNames.samplers());
    }

    @Test
    void img2imgStartIndexFollowsDiffusers() throws Exception {
        Sampler s = Samplers.create("DDIM", null, sd);
        s.setTimesteps(10);
        assertEquals(4, s.startIndex(0.6));   // int(10 * 0.6) = 6 steps run
        assertEquals(3, s.startIndex(0.75));  // int(7.5) = 7 steps run
        assertEquals(0, s.startIndex(1.0));
        assertEquals(10, s.startIndex(0.0));  // nothing to do
        s.setTimesteps(1);
        assertEquals(0, s.startIndex(1.0));
    }

    @Test
    void plmsWithOneStepCallsTheUNetOnce() throws Exception {
        Sampler s = Samplers.create("PLMS", null, sd);
        s.setTimesteps(1);
        assertArrayEquals(new float[] {1f}, s.timesteps());
    }

    @Test
    void configFileIsRead() throws Exception {
        NoiseSchedule s = NoiseSchedule.fromDiffusersConfig(org.diffusej.Fixtures.diffusersDir("sd2-tiny")
                .resolve("scheduler/scheduler_config.json"));
        assertEquals(PredictionType.V_PREDICTION, s.predictionType());
        assertEquals(NoiseSchedule.sd().withPredictionType(PredictionType.V_PREDICTION), s);
    }

    /** Every registered name and alias builds a sampler, and nothing is buildable that the registry does not list. */
    @Test
    void theRegistryAndTheFactoriesAgree() throws Exception {
        java.util.List<String> built = new java.util.ArrayList<>();
        Samplers.buildable().forEach(built::add);
        assertEquals(org.diffusej.engine.SamplerNames.samplers(), built);
        for (org.diffusej.engine.SamplerNames.Choice c : org.diffusej.engine.SamplerNames.choices()) {
            assertTrue(Samplers.create(c.name(), null, sd).name().startsWith(c.name().replace(" Karras", "")), c.name());
            for (String alias : c.aliases())
                assertEquals(Samplers.create(c.name(), null, sd).name(), Samplers.create(alias, null, sd).name(), alias);
        }
        for (String s : org.diffusej.engine.SamplerNames.schedulers()) assertEquals("Euler", Samplers.create("Euler", s, sd).name().split(" ")[0]);
    }
}
