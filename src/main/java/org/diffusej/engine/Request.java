package org.diffusej.engine;

import java.util.Objects;

/**
 * Everything one generation needs, immutable. Build with {@link #builder(Mode)}; defaults follow AUTOMATIC1111's
 * (20 steps, "Euler a", CFG 7, 512×512, strength 0.75, seed −1 = random).
 *
 * <p>Sampler names are accepted in diffusers style ({@code EulerAncestralDiscreteScheduler}) and AUTOMATIC1111
 * style ({@code "Euler a"}, {@code "DPM++ 2M Karras"} or {@code "DPM++ 2M"} + scheduler {@code "Karras"}).
 *
 * <p>The settings come in small groups ({@link Sampling}, {@link ImageInput}, {@link Inpaint}, {@link Variation},
 * {@link Hires}); the flat accessors ({@link #steps()}, {@link #mask()}, ...) read through them.
 *
 * @param mode           txt2img, img2img or inpaint
 * @param prompt         A1111 emphasis syntax allowed; longer than 75 tokens is chunked
 * @param negativePrompt may be empty
 * @param width          output width in pixels (txt2img); img2img/inpaint default to the init image's size
 * @param height         output height in pixels
 * @param batchSize      images denoised together
 * @param batchCount     batches run one after another (A1111 {@code n_iter})
 * @param clipSkip       1 = last CLIP layer (SD1 default); 2 = penultimate, ...
 * @param sampling       steps, sampler, schedule, CFG, seed, timestep spacing
 * @param image          img2img/inpaint input and denoising strength
 * @param inpaint        the A1111 inpaint options
 * @param variation      variation seed and second prompt (Dream's latent walks)
 * @param hires          txt2img's A1111 hires fix (a second, img2img pass at a larger size); null = none
 */
public record Request(
        Mode mode,
        String prompt,
        String negativePrompt,
        int width,
        int height,
        int batchSize,
        int batchCount,
        int clipSkip,
        Sampling sampling,
        ImageInput image,
        Inpaint inpaint,
        Variation variation,
        Hires hires) {

    /**
     * How the denoising runs.
     *
     * @param steps           sampler steps before strength is applied
     * @param sampler         sampler name
     * @param scheduler       sigma schedule ("Automatic", "Karras", ...); null or "Automatic" = the sampler's own
     * @param cfgScale        classifier-free guidance scale; ≤ 1 disables the unconditional pass
     * @param seed            −1 = random; batch item k uses seed + k
     * @param timestepSpacing diffusers' {@code timestep_spacing} ("leading", "trailing", "linspace"); null = the
     *                        model's scheduler config (SD: leading)
     */
    public record Sampling(int steps, String sampler, String scheduler, double cfgScale, long seed,
                           String timestepSpacing) {
        public Sampling {
            sampler = sampler == null ? SamplerNames.DEFAULT : sampler;
            if (timestepSpacing != null && timestepSpacing.isBlank()) timestepSpacing = null;
        }
    }

    /**
     * The image img2img and inpaint start from.
     *
     * @param initImage img2img/inpaint input, null for txt2img
     * @param strength  img2img/inpaint denoising strength in [0, 1]
     */
    public record ImageInput(RgbImage initImage, double strength) { }

    /**
     * AUTOMATIC1111's inpaint options.
     *
     * @param mask              inpaint mask (1 = repaint), same size as the init image
     * @param maskBlur          Gaussian feather of the mask in pixels (A1111 {@code mask_blur})
     * @param onlyMasked        A1111 "Only masked": crop the mask's bounds + padding, work at model size, paste back
     * @param onlyMaskedPadding pixels around the mask's bounds in only-masked mode
     * @param maskedContent     what the masked area starts from
     * @param invertMask        repaint what the mask keeps
     */
    public record Inpaint(Mask mask, int maskBlur, boolean onlyMasked, int onlyMaskedPadding,
                          MaskedContent maskedContent, boolean invertMask) {
        public Inpaint {
            maskedContent = maskedContent == null ? MaskedContent.ORIGINAL : maskedContent;
        }
    }

    /**
     * Variations of the start: another seed's noise and another prompt's conditioning mixed in.
     *
     * @param seed         A1111 {@code subseed}: the seed whose noise the initial latents lean towards; −1 = random
     *                     (used only when {@code strength} &gt; 0); batch item k uses seed + k
     * @param strength     A1111 {@code subseed_strength} in [0, 1]: the initial noise is slerp(noise(seed),
     *                     noise(variation seed), strength); 0 = none, 1 = the variation seed's own noise
     * @param secondPrompt a prompt the conditioning moves towards (prompt walks); empty = none
     * @param promptMix    in [0, 1]: the conditioning is (1 − mix)·cond(prompt) + mix·cond(secondPrompt)
     */
    public record Variation(long seed, double strength, String secondPrompt, double promptMix) {
        public Variation {
            secondPrompt = secondPrompt == null ? "" : secondPrompt;
        }
    }

    /**
     * A1111's hires fix ({@code enable_hr}): the txt2img result is upscaled (its latents, "Latent"; or the decoded
     * image, "Lanczos", re-encoded) and denoised again as img2img at {@code strength}.
     *
     * @param scale          output size = int(base size × scale) (A1111 {@code hr_scale}); unused when a resize is set
     * @param upscaler       {@link #LATENT} (bilinear on the latents) or {@link #LANCZOS} (A1111 {@code hr_upscaler})
     * @param steps          second-pass steps before strength; 0 = the first pass's (A1111 {@code hr_second_pass_steps})
     * @param strength       second-pass denoising strength in [0, 1] (A1111 {@code denoising_strength})
     * @param resizeX        target width instead of the scale (A1111 {@code hr_resize_x}); 0 = from the height's aspect
     *                       or, with resizeY 0 too, from the scale
     * @param resizeY        target height (A1111 {@code hr_resize_y}); both set: upscale to cover, centre-crop the latents
     * @param sampler        the second pass's sampler; null = the request's (A1111 {@code hr_sampler_name})
     * @param scheduler      the second pass's schedule type; null = the request's (A1111 {@code hr_scheduler})
     * @param prompt         the second pass's prompt; "" = the request's (A1111 {@code hr_prompt})
     * @param negativePrompt the second pass's negative prompt; "" = the request's (A1111 {@code hr_negative_prompt})
     */
    public record Hires(double scale, String upscaler, int steps, double strength, int resizeX, int resizeY,
                        String sampler, String scheduler, String prompt, String negativePrompt) {
        public static final String LATENT = "Latent";
        public static final String LANCZOS = "Lanczos";

        public Hires {
            upscaler = upscaler == null || upscaler.isBlank() ? LATENT : upscaler.trim();
            sampler = sampler == null || sampler.isBlank() ? null : sampler.trim();
            scheduler = scheduler == null || scheduler.isBlank() ? null : scheduler.trim();
            prompt = prompt == null ? "" : prompt;
            negativePrompt = negativePrompt == null ? "" : negativePrompt;
        }

        /** Scale-only hires: same sampler, schedule and prompts as the first pass. */
        public Hires(double scale, String upscaler, int steps, double strength) {
            this(scale, upscaler, steps, strength, 0, 0, null, null, "", "");
        }

        /** True for the latent upscaler (case ignored). */
        public boolean latent() {
            return upscaler.equalsIgnoreCase(LATENT);
        }

        /** True when a target size (hr_resize_x/y) replaces the scale. */
        public boolean resizes() {
            return resizeX > 0 || resizeY > 0;
        }

        /** The second pass's steps before strength. */
        public int stepsFor(Request r) {
            return steps > 0 ? steps : r.steps();
        }

        /** The second pass's sampler name. */
        public String samplerFor(Request r) {
            return sampler != null ? sampler : r.sampler();
        }

        /** The second pass's schedule type (null = the sampler's own). */
        public String schedulerFor(Request r) {
            return scheduler != null ? scheduler : r.scheduler();
        }

        /** The second pass's prompt. */
        public String promptFor(Request r) {
            return prompt.isEmpty() ? r.prompt() : prompt;
        }

        /** The second pass's negative prompt. */
        public String negativePromptFor(Request r) {
            return negativePrompt.isEmpty() ? r.negativePrompt() : negativePrompt;
        }

        /** True when the second pass encodes other prompts than the first. */
        public boolean ownPrompts(Request r) {
            return !promptFor(r).equals(r.prompt()) || !negativePromptFor(r).equals(r.negativePrompt());
        }
    }

    public Request {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(inpaint, "inpaint");
        Objects.requireNonNull(variation, "variation");
        prompt = prompt == null ? "" : prompt;
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
    }

    public int steps() { return sampling.steps(); }
    public String sampler() { return sampling.sampler(); }
    public String scheduler() { return sampling.scheduler(); }
    public double cfgScale() { return sampling.cfgScale(); }
    public long seed() { return sampling.seed(); }
    public String timestepSpacing() { return sampling.timestepSpacing(); }
    public RgbImage initImage() { return image.initImage(); }
    public double strength() { return image.strength(); }
    public Mask mask() { return inpaint.mask(); }
    public int maskBlur() { return inpaint.maskBlur(); }
    public boolean onlyMasked() { return inpaint.onlyMasked(); }
    public int onlyMaskedPadding() { return inpaint.onlyMaskedPadding(); }
    public MaskedContent maskedContent() { return inpaint.maskedContent(); }
    public boolean invertMask() { return inpaint.invertMask(); }
    public long variationSeed() { return variation.seed(); }
    public double variationStrength() { return variation.strength(); }
    public String secondPrompt() { return variation.secondPrompt(); }
    public double promptMix() { return variation.promptMix(); }

    /** True when the initial noise leans towards a variation seed's ({@link #variationStrength} &gt; 0). */
    public boolean hasVariation() {
        return variation.strength() > 0;
    }

    /** True when the conditioning mixes in a second prompt. */
    public boolean hasSecondPrompt() {
        return !variation.secondPrompt().isEmpty();
    }

    public static Builder builder(Mode mode) {
        return new Builder(mode);
    }

    /** A builder initialised from this request. */
    public Builder toBuilder() {
        Builder b = new Builder(mode);
        b.prompt = prompt; b.negativePrompt = negativePrompt; b.width = width; b.height = height;
        b.batchSize = batchSize; b.batchCount = batchCount; b.clipSkip = clipSkip;
        b.steps = sampling.steps(); b.sampler = sampling.sampler(); b.scheduler = sampling.scheduler();
        b.cfgScale = sampling.cfgScale(); b.seed = sampling.seed(); b.timestepSpacing = sampling.timestepSpacing();
        b.initImage = image.initImage(); b.strength = image.strength();
        b.mask = inpaint.mask(); b.maskBlur = inpaint.maskBlur(); b.onlyMasked = inpaint.onlyMasked();
        b.onlyMaskedPadding = inpaint.onlyMaskedPadding(); b.maskedContent = inpaint.maskedContent();
        b.invertMask = inpaint.invertMask();
        b.variationSeed = variation.seed(); b.variationStrength = variation.strength();
        b.secondPrompt = variation.secondPrompt(); b.promptMix = variation.promptMix();
        b.hires = hires;
        return b;
    }

    /** Fluent builder with AUTOMATIC1111's defaults. */
    public static final class Builder {
        private Mode mode;
        private String prompt = "";
        private String negativePrompt = "";
        private int width = 512;
        private int height = 512;
        private int steps = 20;
        private String sampler = SamplerNames.DEFAULT;
        private String scheduler = null;
        private double cfgScale = 7.0;
        private long seed = -1;
        private int batchSize = 1;
        private int batchCount = 1;
        private double strength = 0.75;
        private RgbImage initImage;
        private Mask mask;
        private int maskBlur = 4;
        private boolean onlyMasked = false;
        private int onlyMaskedPadding = 32;
        private MaskedContent maskedContent = MaskedContent.ORIGINAL;
        private boolean invertMask = false;
        private int clipSkip = 1;
        private long variationSeed = -1;
        private double variationStrength = 0;
        private String secondPrompt = "";
        private double promptMix = 0;
        private String timestepSpacing = null;
        private Hires hires;

        private Builder(Mode mode) { this.mode = mode; }

        public Builder mode(Mode v) { mode = v; return this; }
        public Builder prompt(String v) { prompt = v; return this; }
        public Builder negativePrompt(String v) { negativePrompt = v; return this; }
        public Builder size(int w, int h) { width = w; height = h; return this; }
        public Builder width(int v) { width = v; return this; }
        public Builder height(int v) { height = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder sampler(String v) { sampler = v; return this; }
        public Builder scheduler(String v) { scheduler = v; return this; }
        public Builder cfgScale(double v) { cfgScale = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder batchCount(int v) { batchCount = v; return this; }
        public Builder strength(double v) { strength = v; return this; }
        /** Sets the init image and, unless set explicitly later, the output size to the image's size. */
        public Builder initImage(RgbImage v) {
            initImage = v;
            if (v != null) { width = v.width(); height = v.height(); }
            return this;
        }
        public Builder mask(Mask v) { mask = v; return this; }
        public Builder maskBlur(int v) { maskBlur = v; return this; }
        public Builder onlyMasked(boolean v) { onlyMasked = v; return this; }
        public Builder onlyMaskedPadding(int v) { onlyMaskedPadding = v; return this; }
        public Builder maskedContent(MaskedContent v) { maskedContent = v; return this; }
        public Builder invertMask(boolean v) { invertMask = v; return this; }
        public Builder clipSkip(int v) { clipSkip = v; return this; }
        /** A1111's {@code subseed} and {@code subseed_strength}: the initial noise leans towards another seed's. */
        public Builder variation(long seed, double strength) { variationSeed = seed; variationStrength = strength; return this; }
        /** A second prompt the conditioning moves towards by {@code mix} (0 = the prompt, 1 = the second prompt). */
        public Builder secondPrompt(String prompt, double mix) { secondPrompt = prompt; promptMix = mix; return this; }

        /** diffusers' {@code timestep_spacing} for this request ("leading", "trailing", "linspace"); null = the model's. */
        public Builder timestepSpacing(String v) { timestepSpacing = v; return this; }
        /** A1111's hires fix for txt2img; null = none. */
        public Builder hires(Hires v) { hires = v; return this; }

        public Request build() {
            return new Request(mode, prompt, negativePrompt, width, height, batchSize, batchCount, clipSkip,
                    new Sampling(steps, sampler, scheduler, cfgScale, seed, timestepSpacing),
                    new ImageInput(initImage, strength),
                    new Inpaint(mask, maskBlur, onlyMasked, onlyMaskedPadding, maskedContent, invertMask),
                    new Variation(variationSeed, variationStrength, secondPrompt, promptMix), hires);
        }
    }
}
