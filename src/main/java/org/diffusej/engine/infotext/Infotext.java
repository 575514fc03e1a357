package org.diffusej.engine.infotext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Request;
import org.diffusej.engine.SamplerNames;

/**
 * The AUTOMATIC1111 "parameters" text (webui v1.10.1 {@code create_infotext} / {@code parse_generation_parameters}):
 * the prompt, an optional {@code Negative prompt:} line, then one line of {@code Key: value} pairs. Written into
 * every output so a result can be reproduced, and read back from images made by A1111 or by DiffuseJ.
 *
 * <pre>
 * a photo of a cat, (masterpiece:1.2)
 * Negative prompt: blurry, lowres
 * Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 123, Size: 512x512, Model hash: f8f241aee0, Model: sd1-tiny, Version: DiffuseJ 0.1.0
 * </pre>
 */
public final class Infotext {
    /** DiffuseJ's key for a request's own {@code timestep_spacing} (A1111 has none); absent = the model's. */
    public static final String SCHEDULE_SPACING = "Schedule spacing";

    private Infotext() { }

    /** What DiffuseJ writes as {@code Version}; deliberately not A1111-like, so A1111 applies no back-compat flags. */
    public static String version() {
        String v = Infotext.class.getPackage().getImplementationVersion();
        return "DiffuseJ " + (v == null ? "dev" : v);
    }

    /**
     * A1111's {@code quote}: a value containing {@code ,}, {@code :} or a newline becomes a JSON string (non-ASCII
     * kept); anything else is returned as is.
     */
    public static Object quote(Object value) {
        String s = PythonText.str(value);
        if (s.indexOf(',') < 0 && s.indexOf('\n') < 0 && s.indexOf(':') < 0) return value;
        return PythonText.jsonString(s);
    }

    /**
     * Writes an infotext. Parameters keep their order; null values are left out; values are formatted as Python's
     * {@code str()} (so {@code Integer 7} gives "7" and {@code Double 7.0} gives "7.0"); a value equal to its key
     * is written as the bare key.
     */
    public static String write(String prompt, String negativePrompt, Map<String, ?> parameters) {
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, ?> e : parameters.entrySet()) {
            Object v = e.getValue();
            if (v == null) continue;
            pairs.add(e.getKey().equals(v) ? e.getKey() : e.getKey() + ": " + PythonText.str(quote(v)));
        }
        String negative = negativePrompt == null || negativePrompt.isEmpty() ? "" : "\nNegative prompt: " + negativePrompt;
        return PythonText.strip((prompt == null ? "" : prompt) + negative + "\n" + String.join(", ", pairs));
    }

    /** Extra parameters A1111 writes right after "Model" rather than after the request's own. */
    private static final java.util.List<String> AFTER_MODEL = java.util.List.of("VAE hash", "VAE");

    /**
     * The infotext A1111 would write for this request: Steps, Sampler, Schedule type, CFG scale, Seed, Size, Model
     * hash, Model, Variation seed and Variation seed strength (strength &gt; 0; batch item k: variation seed + k),
     * Denoising strength (img2img/inpaint, or the hires pass), Hires upscale or Hires resize (WxH), Hires steps (when
     * set), Hires upscaler, Hires sampler / schedule type / prompt / negative prompt (when they differ),
     * Conditional mask weight (inpainting models), Clip skip (&gt; 1), Schedule spacing (DiffuseJ's own, when the
     * request sets a timestep spacing), then the
     * inpaint fields (Mask mode, Mask blur, Inpaint area, Masked area padding, Masked content), DiffuseJ's own
     * "Prompt B" and "Prompt mix" (a second prompt) and Version.
     *
     * @param seed  the seed actually used for this image (never −1)
     * @param model the loaded model; null leaves out Model hash and Model
     */
    public static String of(Request r, long seed, ModelInfo model) {
        return write(r.prompt(), r.negativePrompt(), parameters(r, seed, model));
    }

    /**
     * {@link #of} with {@code extra} parameters (A1111's {@code extra_generation_params}, e.g. "Lora hashes") after
     * the request's own and before Version, as A1111 orders them ("VAE hash" and "VAE" right after Model, where
     * A1111 writes them); null values are left out.
     */
    public static String of(Request r, long seed, ModelInfo model, Map<String, ?> extra) {
        Map<String, Object> own = parameters(r, seed, model);
        Object version = own.remove("Version");
        Map<String, Object> p = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : own.entrySet()) {
            p.put(e.getKey(), e.getValue());
            if (e.getKey().equals("Model"))
                for (String k : AFTER_MODEL) if (extra.containsKey(k)) p.put(k, extra.get(k));
        }
        for (Map.Entry<String, ?> e : extra.entrySet()) if (!AFTER_MODEL.contains(e.getKey())) p.put(e.getKey(), e.getValue());
        p.put("Version", version);
        return write(r.prompt(), r.negativePrompt(), p);
    }

    /** The parameter line of {@link #of} as an ordered map (values typed as A1111 would hold them). */
    public static Map<String, Object> parameters(Request r, long seed, ModelInfo model) {
        boolean usesInit = r.mode() != Mode.TXT2IMG;
        boolean inpaint = r.mode() == Mode.INPAINT && r.mask() != null;
        String sampler = r.sampler();
        String scheduler = r.scheduler() == null || r.scheduler().isBlank() ? SamplerNames.AUTOMATIC
                : SamplerNames.canonicalScheduler(r.scheduler()).orElse(r.scheduler()); // "sgm_uniform" → "SGM Uniform"
        // A1111 ≥ 1.9 names the sampler and its schedule separately: "DPM++ 2M Karras" → "DPM++ 2M" + "Karras"
        if (sampler.endsWith(" " + SamplerNames.KARRAS) && scheduler.equals(SamplerNames.AUTOMATIC)) {
            sampler = sampler.substring(0, sampler.length() - SamplerNames.KARRAS.length() - 1);
            scheduler = SamplerNames.KARRAS;
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Steps", r.steps());
        p.put("Sampler", sampler);
        p.put("Schedule type", scheduler);
        p.put("CFG scale", integralAsInt(r.cfgScale()));
        p.put("Seed", seed);
        p.put("Size", r.width() + "x" + r.height());
        p.put("Model hash", model == null || model.shortHash() == null || model.shortHash().isEmpty() ? null : model.shortHash());
        p.put("Model", model == null ? null : model.name());
        p.put("Variation seed", r.hasVariation() ? r.variationSeed() + (r.seed() == -1 ? 0 : seed - r.seed()) : null);
        p.put("Variation seed strength", r.hasVariation() ? r.variationStrength() : null);
        Request.Hires hires = r.mode() == Mode.TXT2IMG ? r.hires() : null;
        p.put("Denoising strength", usesInit ? (Object) r.strength() : hires != null ? (Object) hires.strength() : null);
        p.put("Hires upscale", hires == null || hires.resizes() ? null : integralAsInt(hires.scale()));
        p.put("Hires resize", hires == null || !hires.resizes() ? null : hires.resizeX() + "x" + hires.resizeY());
        p.put("Hires steps", hires == null || hires.steps() == 0 ? null : hires.steps());
        p.put("Hires upscaler", hires == null ? null : hires.upscaler());
        p.put("Hires sampler", hires == null || hires.samplerFor(r).equals(r.sampler()) ? null : hires.sampler());
        p.put("Hires schedule type", hires == null || hires.scheduler() == null
                || hires.scheduler().equals(r.scheduler()) ? null
                : SamplerNames.canonicalScheduler(hires.scheduler()).orElse(hires.scheduler()));
        p.put("Hires prompt", hires == null || hires.promptFor(r).equals(r.prompt()) ? null : hires.prompt());
        p.put("Hires negative prompt", hires == null || hires.negativePromptFor(r).equals(r.negativePrompt()) ? null
                : hires.negativePrompt());
        p.put("Conditional mask weight", usesInit && model != null && model.inpainting() ? 1.0 : null);
        p.put("Clip skip", r.clipSkip() > 1 ? r.clipSkip() : null);
        p.put(SCHEDULE_SPACING, r.timestepSpacing());
        if (inpaint) {
            p.put("Mask mode", r.invertMask() ? "Inpaint not masked" : null);
            p.put("Mask blur", r.maskBlur() > 0 ? r.maskBlur() : null);
            p.put("Inpaint area", r.onlyMasked() ? "Only masked" : null);
            p.put("Masked area padding", r.onlyMasked() ? r.onlyMaskedPadding() : null);
            p.put("Masked content", switch (r.maskedContent()) {
                case FILL -> "fill";
                case ORIGINAL -> null;
                case LATENT_NOISE -> "latent noise";
                case LATENT_NOTHING -> "latent nothing";
            });
        }
        p.put("Prompt B", r.hasSecondPrompt() ? r.secondPrompt() : null);
        p.put("Prompt mix", r.hasSecondPrompt() ? r.promptMix() : null);
        p.put("Version", version());
        return p;
    }

    private static Object integralAsInt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
    }

    /**
     * Reads an infotext like A1111's {@code parse_generation_parameters} (no styles defined): keys in text order,
     * {@code WxH} values split into {@code Key-1}/{@code Key-2}, then "Prompt", "Negative prompt" and A1111's
     * defaults for missing keys. Values read from the text are strings; defaults keep A1111's types
     * (Integer 0, Boolean false, ...).
     */
    public static Map<String, Object> parse(String text) {
        return InfotextReader.parse(text);
    }
}
