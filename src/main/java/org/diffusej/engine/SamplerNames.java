package org.diffusej.engine;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The samplers and sigma schedules the engine knows, in AUTOMATIC1111's spelling, with their accepted aliases (A1111
 * API names such as {@code k_euler_a}, diffusers class names): the one list every face offers (Fiji's choices, the
 * CLI's completion candidates, the bridge's {@code /sdapi/v1/samplers}). A new sampler is one entry here and one
 * factory in {@code engine.sampler.Samplers}; a test fails when either is missing.
 */
public final class SamplerNames {
    public static final String EULER_A = "Euler a";
    public static final String EULER = "Euler";
    public static final String DPMPP_2M = "DPM++ 2M";
    public static final String DPMPP_2M_KARRAS = "DPM++ 2M Karras";
    public static final String DDIM = "DDIM";
    public static final String PLMS = "PLMS";
    public static final String LCM = "LCM";
    public static final String HEUN = "Heun";
    public static final String LMS = "LMS";
    public static final String DPM2 = "DPM2";
    public static final String DPM2_A = "DPM2 a";
    public static final String DPMPP_SDE = "DPM++ SDE";
    public static final String DPMPP_2M_SDE = "DPM++ 2M SDE";
    public static final String UNIPC = "UniPC";
    /** The A1111 web UI's default sampler (the API's is {@link #API_DEFAULT}). */
    public static final String DEFAULT = EULER_A;
    /** The default sampler of A1111's HTTP API ({@code /sdapi/v1/txt2img} without {@code sampler_name}). */
    public static final String API_DEFAULT = EULER;

    /** The sampler's own sigmas. */
    public static final String AUTOMATIC = "Automatic";
    /** Karras et al. (2022) sigma spacing. */
    public static final String KARRAS = "Karras";
    /** Evenly spaced in log sigma. */
    public static final String EXPONENTIAL = "Exponential";
    /** Evenly spaced training timesteps (Stability's sgm code). */
    public static final String SGM_UNIFORM = "SGM Uniform";

    /** One sampler: its A1111 name and the other names accepted for it. */
    public record Choice(String name, List<String> aliases) { }

    private static final List<Choice> SAMPLERS = List.of(
            new Choice(EULER_A, List.of("k_euler_a", "k_euler_ancestral", "euler_ancestral",
                    "EulerAncestralDiscreteScheduler")),
            new Choice(EULER, List.of("k_euler", "euler", "EulerDiscreteScheduler")),
            new Choice(DPMPP_2M, List.of("k_dpmpp_2m", "dpmpp_2m", "DPMSolverMultistepScheduler")),
            new Choice(DPMPP_2M_KARRAS, List.of("k_dpmpp_2m_ka", "dpmpp_2m_karras")),
            new Choice(DDIM, List.of("ddim", "DDIMScheduler")),
            new Choice(PLMS, List.of("plms", "PNDMScheduler")),
            new Choice(LCM, List.of("lcm", "LCMScheduler")),
            new Choice(HEUN, List.of("k_heun", "heun", "HeunDiscreteScheduler")),
            new Choice(LMS, List.of("k_lms", "lms", "LMSDiscreteScheduler")),
            new Choice(DPM2, List.of("k_dpm_2", "dpm_2", "KDPM2DiscreteScheduler")),
            new Choice(DPM2_A, List.of("k_dpm_2_a", "dpm_2_ancestral", "KDPM2AncestralDiscreteScheduler")),
            new Choice(DPMPP_SDE, List.of("k_dpmpp_sde", "dpmpp_sde", "DPMSolverSDEScheduler")),
            new Choice(DPMPP_2M_SDE, List.of("k_dpmpp_2m_sde", "dpmpp_2m_sde", "sde-dpmsolver++")),
            new Choice(UNIPC, List.of("unipc", "uni_pc", "UniPCMultistepScheduler")));
    /** The schedulers; the first alias is A1111's internal name ({@code /sdapi/v1/schedulers} "name"). */
    private static final List<Choice> SCHEDULERS = List.of(
            new Choice(AUTOMATIC, List.of("automatic")),
            new Choice(KARRAS, List.of("karras", "use_karras_sigmas")),
            new Choice(EXPONENTIAL, List.of("exponential", "use_exponential_sigmas")),
            new Choice(SGM_UNIFORM, List.of("sgm_uniform")));

    private SamplerNames() { }

    /** The samplers with their aliases, in the order a UI should list them. */
    public static List<Choice> choices() {
        return SAMPLERS;
    }

    /** The A1111 sampler names, in the order a UI should list them. */
    public static List<String> samplers() {
        return SAMPLERS.stream().map(Choice::name).toList();
    }

    /** The A1111 scheduler (sigma schedule) names. */
    public static List<String> schedulers() {
        return SCHEDULERS.stream().map(Choice::name).toList();
    }

    /** The schedulers with their aliases, the first alias being A1111's internal name. */
    public static List<Choice> schedulerChoices() {
        return SCHEDULERS;
    }

    /** The A1111 label of the scheduler called {@code name} or one of its aliases (case and blanks ignored). */
    public static Optional<String> canonicalScheduler(String name) {
        return find(SCHEDULERS, name);
    }

    /** The A1111 name of the sampler called {@code name} or one of its aliases (case and blanks ignored). */
    public static Optional<String> canonical(String name) {
        return find(SAMPLERS, name);
    }

    private static Optional<String> find(List<Choice> choices, String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Choice c : choices) {
            if (c.name.toLowerCase(Locale.ROOT).equals(key)) return Optional.of(c.name);
            for (String a : c.aliases) if (a.toLowerCase(Locale.ROOT).equals(key)) return Optional.of(c.name);
        }
        return Optional.empty();
    }
}
