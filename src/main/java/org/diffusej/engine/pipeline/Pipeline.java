package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.diffusej.engine.image.LatentPreview;
import org.diffusej.engine.image.Resampler;
import org.diffusej.engine.lora.LoraPrompt;
import org.diffusej.engine.lora.ModelLoras;
import org.diffusej.engine.image.TaesdPreview;
import org.diffusej.engine.nn.AttentionKernel;
import org.diffusej.engine.runtime.MemoryBudget;
import org.diffusej.engine.runtime.TorchOps;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.text.DualPromptEncoder;
import org.diffusej.engine.text.PromptEncoder;
import org.diffusej.engine.text.PromptSyntaxException;
import org.diffusej.engine.unet.GuidanceEmbedding;
import org.diffusej.engine.vae.Taesd;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

/**
 * txt2img, img2img and inpaint over a loaded {@link StableDiffusionModel}, step for step like diffusers' Stable
 * Diffusion pipelines (same noise draws in the same order, strength as {@code get_timesteps}, 4-channel latent
 * blending and 9-channel inpainting input) with AUTOMATIC1111's request semantics around them: seeds per batch item
 * (seed + k), prompt emphasis and chunking, inpaint mask blur / only-masked / masked content / invert, the result
 * pasted back through the mask, any output size. SDXL models get both text encoders ({@link DualPromptEncoder}) and
 * the UNet's vector conditioning ({@link AddedConditioning}). The pipeline owns the model and closes it.
 */
public final class Pipeline implements DiffusionEngine {
    /** Default largest image: 2048 × 2048 pixels (SD1/SD2 latents of 256² already need several GB in the UNet). */
    public static final long DEFAULT_MAX_PIXELS = 2048L * 2048L;

    private final StableDiffusionModel model;
    private final LongFunction<NoiseSource> noiseForSeed;
    private final long maxPixels;
    private final PromptEncoder prompts;        // SD1/SD2
    private final DualPromptEncoder xlPrompts;  // SDXL
    private volatile LatentCodec codec;
    private volatile Taesd taesd; // previews (and final images when the codec uses it), or null
    private final SecureRandom seeds = new SecureRandom();
    private final Hooks hooks;

    /**
     * Test seams, given at construction (package-private on purpose).
     *
     * @param stepObserver sees every step's latents
     * @param unetWrapper  wraps the UNet (recorded outputs, counting calls)
     * @param memory       where the free memory is read before each job (inject numbers)
     */
    record Hooks(DenoisingLoop.StepListener stepObserver, UnaryOperator<DenoisingLoop.NoisePredictor> unetWrapper,
                 Supplier<MemoryBudget> memory) {
        /** Production: no observer, the UNet as is, the machine's memory. */
        static final Hooks NONE = new Hooks(DenoisingLoop.StepListener.NONE, UnaryOperator.identity(), MemoryBudget::current);

        Hooks observing(DenoisingLoop.StepListener o) { return new Hooks(o, unetWrapper, memory); }

        Hooks wrapping(UnaryOperator<DenoisingLoop.NoisePredictor> w) { return new Hooks(stepObserver, w, memory); }

        Hooks withMemory(Supplier<MemoryBudget> m) { return new Hooks(stepObserver, unetWrapper, m); }
    }

    public Pipeline(StableDiffusionModel model) {
        this(model, NoiseSource::seeded, DEFAULT_MAX_PIXELS);
    }

    /**
     * @param noiseForSeed where the noise of a seed comes from ({@link NoiseSource#seeded}, or recorded noise in tests)
     * @param maxPixels    larger requests (width × height × batch size) are refused before anything is allocated
     */
    public Pipeline(StableDiffusionModel model, LongFunction<NoiseSource> noiseForSeed, long maxPixels) {
        this(model, noiseForSeed, maxPixels, Hooks.NONE);
    }

    /** With test seams ({@link Hooks}). */
    Pipeline(StableDiffusionModel model, LongFunction<NoiseSource> noiseForSeed, long maxPixels, Hooks hooks) {
        this.model = model;
        this.hooks = hooks;
        this.noiseForSeed = noiseForSeed;
        this.maxPixels = maxPixels;
        StableDiffusionModel.Xl xl = model.xl();
        this.prompts = xl == null ? PromptEncoder.of(model.tokenizer(), model.textEncoder()::encode) : null;
        this.xlPrompts = xl == null ? null : new DualPromptEncoder(model.tokenizer(), xl.tokenizer2(), xl.textEncoders(),
                xl.config().forceZerosForEmptyPrompt());
        this.codec = new LatentCodec(model.vae());
    }

    /**
     * Uses a tiny autoencoder (TAESD) for the step previews and, when {@code finalImages}, in place of the VAE for
     * the images themselves (decode, and encode for img2img/inpaint: diffusers' {@code pipe.vae = AutoencoderTiny}).
     * The pipeline closes it. Call before generating, not during a run.
     */
    public void useTaesd(Taesd tiny, boolean finalImages) {
        if (!tiny.hasDecoder()) throw new IllegalArgumentException("a tiny autoencoder without decoder cannot decode");
        taesd = tiny;
        codec = finalImages ? new LatentCodec(model.vae(), tiny) : new LatentCodec(model.vae());
    }

    /** The model's LoRAs: its library can change between generations (no reload). */
    public org.diffusej.engine.lora.ModelLoras loras() { return model.loras(); }

    @Override
    public ModelInfo model() {
        try {
            return model.info();
        } catch (DiffusionException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public Result generate(Request request, ProgressListener listener, CancellationToken token) throws DiffusionException {
        long started = System.nanoTime();
        // 1. check everything the user can get wrong before allocating; build the samplers once
        Plan plan = Plan.of(request, model.schedule(), maxPixels, processingMultiple());
        checkMemory(plan.output());
        long seed = request.seed() == -1 ? randomSeed() : request.seed();
        long variationSeed = request.hasVariation() && request.variationSeed() == -1 ? randomSeed() : request.variationSeed();
        Request r = request.toBuilder().seed(seed).variation(variationSeed, request.variationStrength()).build();
        // <lora:name:mult> tags: merged into the model now, taken out of the prompt that is encoded
        ModelLoras.Activation loras = model.loras().activate(r.prompt());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.putAll(model.vaeInfotext());
        extra.put("Lora hashes", loras.hashesText());
        // 2. prepare the init image (img2img) or the inpaint input; an empty mask or strength 0 leave it unchanged
        PreparedInput job = PreparedInput.prepare(r, processingMultiple());
        if (job.unchangedReason() != null) return unchanged(r, extra, job.unchangedReason(), started);
        int stepsPerBatch = plan.firstPassSteps();
        if (stepsPerBatch == 0 && r.strength() == 0)
            return unchanged(r, extra, "Denoising strength 0 runs no step: the image is returned unchanged.", started);
        if (stepsPerBatch == 0)  // e.g. SD-Turbo's 1 step at strength 0.5: diffusers fails on the empty schedule
            throw new InvalidRequestException("Denoising strength " + r.strength() + " with " + r.steps() + " steps "
                    + "runs no step: steps × strength must be at least 1 (use " + (int) Math.ceil(1 / r.strength())
                    + " steps, or a higher strength).");
        stepsPerBatch += plan.hiresSteps();
        // 3. denoise and decode batch after batch, each in its own manager
        List<RgbImage> images = new ArrayList<>();
        List<Long> usedSeeds = new ArrayList<>();
        List<Integer> unfinished = new ArrayList<>();
        Map<String, Double> timings = new LinkedHashMap<>();
        StepProgress progress = new StepProgress(listener, token, r.batchCount() * stepsPerBatch, started, taesd,
                model.xl() != null);
        try (NDManager m = model.manager().newSubManager()) {
            Prompts cond = encodePrompts(r.toBuilder().prompt(loras.prompt()).build(), m);
            Prompts hiresCond = hiresPrompts(r, cond, m);
            timings.put("encode", seconds(started));
            for (int b = 0; b < r.batchCount(); b++) {
                progress.token.check();
                long first = seed + (long) b * r.batchSize();
                try (NDManager batch = m.newSubManager()) {
                    List<RgbImage> made = job.finish(runBatch(r, plan, job, first, cond, hiresCond, batch, progress), plan.output());
                    if (progress.endBatch()) for (int k = 0; k < made.size(); k++) unfinished.add(images.size() + k);
                    images.addAll(made);
                }
                for (int k = 0; k < r.batchSize(); k++) usedSeeds.add(first + k);
            }
        } catch (CancelledException e) {
            return result(r, extra, images, usedSeeds, timings, started, true,
                    "Cancelled after " + (images.size() - unfinished.size()) + " of " + r.batchCount() * r.batchSize()
                            + " images" + (unfinished.isEmpty() ? "." : "; " + unfinished.size() + " unfinished kept."),
                    unfinished);
        }
        return result(r, extra, images, usedSeeds, timings, started, progress.token.isCancelled(),
                unfinished.isEmpty() ? "" : unfinished.size() + " image(s) stopped before their last step (skipped).",
                unfinished);
    }

    /**
     * Refuses a job whose estimated peak ({@link MemoryEstimate}) does not fit the free heap and RAM; on a GPU the
     * tensors are compared with the GPU's free memory instead of RAM (not yet tried on real GPU hardware).
     */
    private void checkMemory(Request r) throws InvalidRequestException {
        ai.djl.Device device = model.manager().getDevice();
        MemoryBudget budget = MemoryBudget.forDevice(hooks.memory().get(), device.isGpu(), () -> MemoryBudget.gpuFree(device));
        AttentionKernel kernel = AttentionKernel.selected();
        boolean fused = kernel == AttentionKernel.NATIVE && TorchOps.available();
        MemoryEstimate.check(r, processingMultiple(), model.unet().config(), model.vae().config(), fused,
                kernel == AttentionKernel.SLICED || kernel == AttentionKernel.NATIVE && !fused, budget);
    }

    /** A random seed in A1111's range [0, 2³²). */
    private long randomSeed() {
        return Math.floorMod(seeds.nextLong(), 1L << 32);
    }

    /** Latent size multiple: the UNet halves the latents (levels − 1) times, the VAE scales by its factor. */
    private int processingMultiple() {
        return codec.downscale() * model.unet().config().downscale();
    }

    /** Encoded prompts: the cross-attention contexts, and for SDXL the pooled embeddings (else null). */
    private record Prompts(PromptEncoder.Conditioning context, AddedConditioning added) { }

    private Prompts encodePrompts(Request r, NDManager m) throws DiffusionException {
        try {
            if (xlPrompts == null) return new Prompts(LatentWalk.conditioning(prompts, r, m), null);
            DualPromptEncoder.Conditioning c = r.hasSecondPrompt()
                    ? xlPrompts.encodeWalk(r.prompt(), r.secondPrompt(), r.promptMix(), r.negativePrompt(), r.clipSkip(), m)
                    : xlPrompts.encodePair(r.prompt(), r.negativePrompt(), r.clipSkip(), m);
            return new Prompts(c.context(), new AddedConditioning(c.pooledNegative(), c.pooledPositive()));
        } catch (PromptSyntaxException e) {
            throw new InvalidRequestException(e.getMessage());
        } finally {
            // SDXL's encoders (~1.6 GB in fp16) are not needed while denoising: freed now, reloaded for the next prompt
            if (model.xl() != null) model.xl().textEncoders().release();
        }
    }

    /**
     * The hires pass's prompts: the first pass's, or A1111's {@code hr_prompt} / {@code hr_negative_prompt} encoded
     * (LoRA tags in them are taken out of the text; the LoRAs of the prompt stay in effect for both passes).
     */
    private Prompts hiresPrompts(Request r, Prompts first, NDManager m) throws DiffusionException {
        Request.Hires h = r.mode() == Mode.TXT2IMG ? r.hires() : null;
        if (h == null || !h.ownPrompts(r)) return first;
        return encodePrompts(r.toBuilder().prompt(LoraPrompt.parse(h.promptFor(r)).prompt())
                .negativePrompt(h.negativePromptFor(r)).secondPrompt("", 0).build(), m);
    }

    /** One batch: seeds → noise, the starting latents for the mode, the denoising loop, the VAE decode. */
    private List<RgbImage> runBatch(Request r, Plan plan, PreparedInput job, long firstSeed, Prompts prompts,
                                    Prompts hiresPrompts, NDManager m, StepProgress progress) throws DiffusionException {
        // 1. noise: batch item k draws from seed + k (leaning towards variation seed + k, A1111's subseed)
        List<NoiseSource> items = new ArrayList<>();
        for (int k = 0; k < r.batchSize(); k++) items.add(noiseFor(r, firstSeed + k));
        NoiseSource noise = NoiseSource.batch(items);
        // 2. sampler and the first step that runs (strength)
        Sampler sampler = plan.firstPass();
        int start = plan.firstStart();
        // 3. starting latents (and inpaint inputs), drawing noise in diffusers' order
        LatentStart begin = LatentStart.of(r, job, codec, sampler, start, noise, inpaintingModel(), m);
        // 4. denoise
        // LCM-distilled UNets take the guidance scale as an embedding and run without classifier-free guidance
        int condDim = model.unet().config().timeCondProjDim();
        NDArray guidance = condDim > 0 ? GuidanceEmbedding.forScale(r.cfgScale(), condDim, m).repeat(0, r.batchSize()) : null;
        DenoisingLoop loop = loop(prompts, sampler, r, job.width(), job.height(), guidance, m);
        DenoisingLoop.StepListener observer = hooks.stepObserver();
        DenoisingLoop.StepListener listener = (step, total, x) -> {
            observer.afterStep(step, total, x);
            progress.afterStep(step, total, x);
        };
        NDArray latents = loop.run(begin.latents(), start, begin.inpainting(), noise, listener);
        // 5. hires fix: upscale and denoise again as img2img (not after an interrupt or skip); an inpainting model
        //    gets its whole-image conditioning at the hires size
        boolean stopped = progress.token.keepsUnfinished() || progress.token.skipRequested();
        if (plan.hasHires() && !stopped) {
            Sampler second = plan.hiresPass();
            NDArray up = HiresPass.start(latents, r, codec, noise, processingMultiple());      // [B, 4, h', w']
            int start2 = plan.hiresStart();
            NDArray begin2 = start2 >= second.timesteps().length ? up
                    : second.addNoise(up, noise.next(up.getShape(), m), start2);
            int f = codec.downscale();
            DenoisingLoop.Inpainting whole = inpaintingModel() ? LatentStart.wholeImage((int) up.getShape().get(3) * f,
                    (int) up.getShape().get(2) * f, codec, r.batchSize(), m) : null;
            // SDXL: the second pass is conditioned on the size it makes (A1111's hr conds: original = target = hires size)
            latents = loop(hiresPrompts, second, r, HiresPass.width(r), HiresPass.height(r), guidance, m)
                    .run(begin2, start2, whole, noise, listener);
        }
        // 6. decode
        return codec.decode(latents);
    }

    /**
     * The denoising loop for {@code prompts} (classifier-free guidance unless the UNet embeds the guidance); SDXL's
     * added conditioning names the {@code width × height} the pass makes.
     */
    private DenoisingLoop loop(Prompts prompts, Sampler sampler, Request r, int width, int height, NDArray guidance,
                               NDManager m) {
        PromptEncoder.Conditioning cond = prompts.context();
        NDArray negative = cond.negative().repeat(0, r.batchSize());
        NDArray positive = cond.positive().repeat(0, r.batchSize());
        DenoisingLoop.NoisePredictor unet = prompts.added() == null ? (s, t, c) -> model.unet().forward(s, t, c, null, guidance)
                : prompts.added().predictor(model.unet(), r.batchSize(), width, height, guidance, m);
        return new DenoisingLoop(hooks.unetWrapper().apply(unet), sampler, guidance != null ? 1 : r.cfgScale(), negative, positive);
    }

    /** The noise of one image's seed; with a variation, its first draw slerped towards the variation seed's. */
    private NoiseSource noiseFor(Request r, long seed) {
        NoiseSource own = noiseForSeed.apply(seed);
        if (!r.hasVariation()) return own;
        return LatentWalk.between(own, noiseForSeed.apply(r.variationSeed() + (seed - r.seed())), r.variationStrength());
    }

    private boolean inpaintingModel() {
        return model.unet().config().inChannels() == 9;
    }

    private Result unchanged(Request r, Map<String, Object> extra, String message, long started) throws DiffusionException {
        RgbImage input = r.initImage().copy();
        Map<String, Double> timings = new LinkedHashMap<>();
        return result(r, extra, List.of(input), List.of(r.seed()), timings, started, false, message);
    }

    private Result result(Request r, Map<String, Object> extra, List<RgbImage> images, List<Long> usedSeeds, Map<String, Double> timings,
                          long started, boolean cancelled, String message) throws DiffusionException {
        return result(r, extra, images, usedSeeds, timings, started, cancelled, message, List.of());
    }

    private Result result(Request r, Map<String, Object> extra, List<RgbImage> images, List<Long> usedSeeds, Map<String, Double> timings,
                          long started, boolean cancelled, String message, List<Integer> unfinished)
            throws DiffusionException {
        timings.put("total", seconds(started));
        ModelInfo info = model.info();
        List<String> infotexts = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) infotexts.add(Infotext.of(r, usedSeeds.get(i), info, extra));
        return new Result(images, usedSeeds.subList(0, images.size()), infotexts, r, info, timings, cancelled, message,
                unfinished);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    @Override
    public void close() {
        Taesd t = taesd;
        if (t != null) t.close();
        model.close();
    }

    /**
     * Reports each finished step with elapsed time, ETA and a cheap preview, and honours cancellation: a cancel stops
     * at once; an interrupt or skip ends the batch with what it reached ({@link DenoisingLoop.EndEarly}).
     */
    private static final class StepProgress implements DenoisingLoop.StepListener {
        private final ProgressListener listener;
        final CancellationToken token;
        private final int total;
        private final long started;
        private final Taesd previewDecoder;
        private final boolean sdxl;
        private int done;
        private boolean endedEarly;

        StepProgress(ProgressListener listener, CancellationToken token, int total, long started, Taesd previewDecoder,
                     boolean sdxl) {
            this.previewDecoder = previewDecoder;
            this.sdxl = sdxl;
            this.listener = listener == null ? ProgressListener.NONE : listener;
            this.token = token == null ? new CancellationToken() : token;
            this.total = total;
            this.started = started;
        }

        @Override
        public void afterStep(int step, int steps, NDArray latents) throws CancelledException {
            done++;
            double elapsed = seconds(started);
            double eta = elapsed / done * (total - done);
            RgbImage preview = listener == ProgressListener.NONE ? null
                    : previewDecoder != null ? TaesdPreview.of(previewDecoder, latents)
                    : sdxl ? LatentPreview.ofSdxl(latents) : LatentPreview.of(latents);
            listener.onProgress(new Progress("denoise", done, total, elapsed, eta, preview));
            if (token.keepsUnfinished() || token.skipRequested()) {
                if (step >= steps) return; // the batch is finished anyway
                endedEarly = true;
                done += steps - step;       // the skipped steps count as done for progress and ETA
                throw new DenoisingLoop.EndEarly();
            }
            token.check();
        }

        /** Called when a batch ends: true if it ended early; clears a pending skip. */
        boolean endBatch() {
            boolean early = endedEarly;
            endedEarly = false;
            token.clearSkip();
            return early;
        }
    }
}
