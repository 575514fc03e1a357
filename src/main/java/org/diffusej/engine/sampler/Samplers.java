package org.diffusej.engine.sampler;

import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * Creates samplers by name: AUTOMATIC1111 names ("Euler a", "DPM++ 2M Karras", or "DPM++ 2M" with scheduler
 * "Karras"), their API aliases ("k_euler_a") and diffusers class names ("EulerAncestralDiscreteScheduler").
 * Matching ignores case and surrounding blanks.
 */
public final class Samplers {

    /** One sampler: its A1111 name, other accepted names, and how to build it for a sigma schedule (null = its own). */
    private record Entry(String name, List<String> aliases, SigmaSchedule fixedSchedule,
                         BiFunction<NoiseSchedule, SigmaSchedule, Sampler> factory) { }

    private static final SigmaSchedule KARRAS = new KarrasSigmas();
    private static final List<Entry> ENTRIES = List.of(
            new Entry("Euler a", List.of("k_euler_a", "k_euler_ancestral", "euler_ancestral",
                    "EulerAncestralDiscreteScheduler"), null, EulerAncestralSampler::new),
            new Entry("Euler", List.of("k_euler", "euler", "EulerDiscreteScheduler"), null, EulerSampler::new),
            new Entry("DPM++ 2M", List.of("k_dpmpp_2m", "dpmpp_2m", "DPMSolverMultistepScheduler"), null,
                    DpmPlusPlus2MSampler::new),
            new Entry("DPM++ 2M Karras", List.of("k_dpmpp_2m_ka", "dpmpp_2m_karras"), KARRAS,
                    DpmPlusPlus2MSampler::new),
            new Entry("DDIM", List.of("ddim", "DDIMScheduler"), null, (n, s) -> new DdimSampler(n)),
            new Entry("PLMS", List.of("plms", "PNDMScheduler"), null, (n, s) -> new PlmsSampler(n)),
            new Entry("LCM", List.of("lcm", "LCMScheduler"), null, (n, s) -> new LcmSampler(n)));
    private static final List<String> SCHEDULERS = List.of("Automatic", "Karras");

    private Samplers() { }

    /**
     * A new sampler.
     *
     * @param name      sampler name (see {@link #names()}, aliases and diffusers class names also work)
     * @param scheduler A1111 scheduler: null, "" or "Automatic" for the sampler's own sigmas, or "Karras"; samplers
     *                  without sigmas (DDIM, PLMS, LCM) ignore it, as A1111 does
     * @throws DiffusionException for an unknown sampler or scheduler, listing the valid ones
     */
    public static Sampler create(String name, String scheduler, NoiseSchedule schedule) throws DiffusionException {
        Entry e = find(name);
        SigmaSchedule sigmas = e.fixedSchedule != null ? e.fixedSchedule : sigmaSchedule(scheduler);
        return e.factory.apply(schedule, sigmas);
    }

    /** The A1111 sampler names, in the order a UI should list them. */
    public static List<String> names() {
        return ENTRIES.stream().map(Entry::name).toList();
    }

    /** Other names accepted for the sampler called {@code name} in {@link #names()}. */
    public static List<String> aliases(String name) throws DiffusionException {
        return find(name).aliases;
    }

    /** The A1111 scheduler (sigma schedule) names accepted. */
    public static List<String> schedulerNames() {
        return SCHEDULERS;
    }

    private static Entry find(String name) throws DiffusionException {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Entry e : ENTRIES) {
            if (e.name.toLowerCase(Locale.ROOT).equals(key)) return e;
            for (String a : e.aliases) if (a.toLowerCase(Locale.ROOT).equals(key)) return e;
        }
        List<String> valid = new ArrayList<>(names());
        throw new InvalidRequestException("Unknown sampler '" + name + "'. Valid samplers: " + String.join(", ", valid)
                + " (or diffusers names such as EulerAncestralDiscreteScheduler).");
    }

    private static SigmaSchedule sigmaSchedule(String scheduler) throws DiffusionException {
        String key = scheduler == null ? "" : scheduler.trim().toLowerCase(Locale.ROOT);
        if (key.isEmpty() || key.equals("automatic")) return null;
        if (key.equals("karras")) return KARRAS;
        throw new InvalidRequestException("Unknown scheduler '" + scheduler + "'. Valid schedulers: "
                + String.join(", ", SCHEDULERS) + ".");
    }
}
