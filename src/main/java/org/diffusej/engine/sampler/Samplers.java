package org.diffusej.engine.sampler;

import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.SamplerNames;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

import static org.diffusej.engine.SamplerNames.*;

/**
 * Creates samplers by name: the names of {@link SamplerNames} ("Euler a", "DPM++ 2M Karras", or "DPM++ 2M" with
 * scheduler "Karras") and their aliases ("k_euler_a", "EulerAncestralDiscreteScheduler"). Matching ignores case and
 * surrounding blanks.
 */
public final class Samplers {

    /** How to build a sampler for a sigma schedule (null = its own). */
    private record Factory(SigmaSchedule fixedSchedule, BiFunction<NoiseSchedule, SigmaSchedule, Sampler> build) { }

    private static final SigmaSchedule KARRAS_SIGMAS = new KarrasSigmas();
    private static final Map<String, Factory> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(EULER_A, new Factory(null, EulerAncestralSampler::new));
        FACTORIES.put(EULER, new Factory(null, EulerSampler::new));
        FACTORIES.put(DPMPP_2M, new Factory(null, DpmPlusPlus2MSampler::new));
        FACTORIES.put(DPMPP_2M_KARRAS, new Factory(KARRAS_SIGMAS, DpmPlusPlus2MSampler::new));
        FACTORIES.put(DDIM, new Factory(null, (n, s) -> new DdimSampler(n)));
        FACTORIES.put(PLMS, new Factory(null, (n, s) -> new PlmsSampler(n)));
        FACTORIES.put(LCM, new Factory(null, (n, s) -> new LcmSampler(n)));
        FACTORIES.put(HEUN, new Factory(null, HeunSampler::new));
        FACTORIES.put(LMS, new Factory(null, LmsSampler::new));
        FACTORIES.put(DPM2, new Factory(null, Dpm2Sampler::new));
        FACTORIES.put(DPM2_A, new Factory(null, Dpm2AncestralSampler::new));
        FACTORIES.put(DPMPP_SDE, new Factory(null, DpmPlusPlusSdeSampler::new));
        FACTORIES.put(DPMPP_2M_SDE, new Factory(null, DpmPlusPlus2MSdeSampler::new));
        FACTORIES.put(UNIPC, new Factory(null, UniPcSampler::new));
    }

    private Samplers() { }

    /**
     * A new sampler.
     *
     * @param name      sampler name (see {@link SamplerNames#samplers()}; aliases also work)
     * @param scheduler A1111 scheduler: null, "" or "Automatic" for the sampler's own sigmas, or "Karras",
     *                  "Exponential", "SGM Uniform" (or A1111's internal names such as "sgm_uniform"); samplers
     *                  without sigmas (DDIM, PLMS, LCM) ignore it, as A1111 does
     * @throws DiffusionException for an unknown sampler or scheduler, listing the valid ones
     */
    public static Sampler create(String name, String scheduler, NoiseSchedule schedule) throws DiffusionException {
        Factory f = SamplerNames.canonical(name).map(FACTORIES::get).orElse(null);
        if (f == null)
            throw new InvalidRequestException("Unknown sampler '" + name + "'. Valid samplers: "
                    + String.join(", ", SamplerNames.samplers())
                    + " (or diffusers names such as EulerAncestralDiscreteScheduler).");
        SigmaSchedule sigmas = f.fixedSchedule != null ? f.fixedSchedule : sigmaSchedule(scheduler, schedule);
        return f.build.apply(schedule, sigmas);
    }

    /** The sampler names this class can build, in registration order (a test holds it equal to SamplerNames). */
    static Iterable<String> buildable() {
        return FACTORIES.keySet();
    }

    private static SigmaSchedule sigmaSchedule(String scheduler, NoiseSchedule schedule) throws DiffusionException {
        if (scheduler == null || scheduler.isBlank()) return null;
        String name = SamplerNames.canonicalScheduler(scheduler).orElse("");
        switch (name) {
            case AUTOMATIC: return null;
            case KARRAS: return KARRAS_SIGMAS;
            case EXPONENTIAL: return new ExponentialSigmas();
            case SGM_UNIFORM: return new SgmUniformSigmas(schedule.trainSigmas());
            default: break;
        }
        throw new InvalidRequestException("Unknown scheduler '" + scheduler + "'. Valid schedulers: "
                + String.join(", ", SamplerNames.schedulers()) + ".");
    }
}
