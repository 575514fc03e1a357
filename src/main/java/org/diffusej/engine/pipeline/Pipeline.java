package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.diffusej.engine.image.LatentPreview;
import org.diffusej.engine.sampler.Sampler;
import org.diffusej.engine.sampler.Samplers;
import org.diffusej.engine.text.DualPromptEncoder;
import org.diffusej.engine.text.PromptEncoder;
import org.diffusej.engine.text.PromptSyntaxException;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
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
    private final LatentCodec codec;
    private final SecureRandom seeds = new SecureRandom();
    /** Test hooks: see every step's latents, wrap the UNet (package-private on purpose). */
    DenoisingLoop.StepListener stepObserver = DenoisingLoop.StepListener.NONE;
    UnaryOperator<DenoisingLoop.NoisePredictor> unetWrapper = UnaryOperator.identity();

    public Pipeline(StableDiffusionModel model) {
        this(model, NoiseSource::seeded, DEFAULT_MAX_PIXELS);
    }

    /**
     * @param noiseForSeed where the noise of a seed comes from ({@link NoiseSource#seeded}, or recorded noise in tests)
     * @param maxPixels    larger requests (width × height × batch size) are refused before anything is allocated
     */
    public Pipeline(StableDiffusionModel model, LongFunction<NoiseSource> noiseForSeed, long maxPixels) {
        this.model = model;
        this.noiseForSeed = noiseForSeed;
        this.maxPixels = maxPixels;
        StableDiffusionModel.Xl xl = model.xl();
        this.prompts = xl == null ? PromptEncoder.of(model.tokenizer(), model.textEncoder()::encode) : null;
        this.xlPrompts = xl == null ? null : new DualPromptEncoder(model.tokenizer(), xl.tokenizer2(), xl.textEncoders(),
                xl.config().forceZerosForEmptyPrompt());
        this.codec = new LatentCodec(model.vae());
    }

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
        // 1. check everything the user can get wrong before allocating
        RequestCheck.validate(request, maxPixels, processingMultiple());
        Samplers.create(request.sampler(), request.scheduler(), model.schedule());
        long seed = request.seed() == -1 ? randomSeed() : request.seed();
        long variationSeed = request.hasVariation() && request.variationSeed() == -1 ? randomSeed() : request.variationSeed();
        Request r = request.toBuilder().seed(seed).variation(variationSeed, request.variationStrength()).build();
        // 2. prepare the init image (img2img) or the inpaint input; an empty mask or strength 0 leave it unchanged
        Job job = Job.prepare(r, processingMultiple());
        if (job.unchangedReason() != null) return unchanged(r, job.unchangedReason(), started);
        int stepsPerBatch = job.stepsPerBatch(r, model.schedule());
        if (stepsPerBatch == 0)
            return unchanged(r, "Denoising strength " + r.strength() + " with " + r.steps()
                    + " steps runs no step: the image is returned unchanged.", started);
        // 3. denoise and decode batch after batch, each in its own manager
        List<RgbImage> images = new ArrayList<>();
        List<Long> usedSeeds = new ArrayList<>();
        Map<String, Double> timings = new LinkedHashMap<>();
        StepProgress progress = new StepProgress(listener, token, r.batchCount() * stepsPerBatch, started);
        try (NDManager m = model.manager().newSubManager()) {
            Prompts cond = encodePrompts(r, m);
            timings.put("encode", seconds(started));
            for (int b = 0; b < r.batchCount(); b++) {
                long first = seed + (long) b * r.batchSize();
                try (NDManager batch = m.newSubManager()) {
                    images.addAll(job.finish(runBatch(r, job, first, cond, batch, progress), r));
                }
                for (int k = 0; k < r.batchSize(); k++) usedSeeds.add(first + k);
            }
        } catch (CancelledException e) {
            return result(r, images, usedSeeds, timings, started, true,
                    "Cancelled after " + images.size() + " of " + r.batchCount() * r.batchSize() + " images.");
        }
        return result(r, images, usedSeeds, timings, started, false, "");
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
        }
    }

    /** One batch: seeds → noise, the starting latents for the mode, the denoising loop, the VAE decode. */
    private List<RgbImage> runBatch(Request r, Job job, long firstSeed, Prompts prompts, NDManager m,
                                    StepProgress progress) throws DiffusionException {
        PromptEncoder.Conditioning cond = prompts.context();
        // 1. noise: batch item k draws from seed + k (leaning towards variation seed + k, A1111's subseed)
        List<NoiseSource> items = new ArrayList<>();
        for (int k = 0; k < r.batchSize(); k++) items.add(noiseFor(r, firstSeed + k));
        NoiseSource noise = NoiseSource.batch(items);
        // 2. sampler and the first step that runs (strength)
        Sampler sampler = Samplers.create(r.sampler(), r.scheduler(), model.schedule());
        sampler.setTimesteps(r.steps());
        int start = r.mode() == Mode.TXT2IMG ? 0 : sampler.startIndex(r.strength());
        // 3. starting latents (and inpaint inputs), drawing noise in diffusers' order
        LatentStart begin = LatentStart.of(r, job, codec, sampler, start, noise, inpaintingModel(), m);
        // 4. denoise
        NDArray negative = cond.negative().repeat(0, r.batchSize());
        NDArray positive = cond.positive().repeat(0, r.batchSize());
        DenoisingLoop.NoisePredictor unet = prompts.added() == null ? model.unet()::forward
                : prompts.added().predictor(model.unet(), r.batchSize(), job.width(), job.height(), m);
        DenoisingLoop loop = new DenoisingLoop(unetWrapper.apply(unet), sampler, r.cfgScale(),
                negative, positive);
        DenoisingLoop.StepListener observer = stepObserver;
        NDArray latents = loop.run(begin.latents(), start, begin.inpainting(), noise, (step, total, x) -> {
            observer.afterStep(step, total, x);
            progress.afterStep(step, total, x);
        });
        // 5. decode
        return codec.decode(latents);
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

    private Result unchanged(Request r, String message, long started) throws DiffusionException {
        RgbImage input = r.initImage().copy();
        Map<String, Double> timings = new LinkedHashMap<>();
        return result(r, List.of(input), List.of(r.seed()), timings, started, false, message);
    }

    private Result result(Request r, List<RgbImage> images, List<Long> usedSeeds, Map<String, Double> timings,
                          long started, boolean cancelled, String message) throws DiffusionException {
        timings.put("total", seconds(started));
        ModelInfo info = model.info();
        List<String> infotexts = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) infotexts.add(Infotext.of(r, usedSeeds.get(i), info));
        return new Result(images, usedSeeds.subList(0, images.size()), infotexts, r, info, timings, cancelled, message);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    @Override
    public void close() {
        model.close();
    }

    /** Reports each finished step with elapsed time, ETA and a cheap preview, and honours cancellation. */
    private static final class StepProgress implements DenoisingLoop.StepListener {
        private final ProgressListener listener;
        private final CancellationToken token;
        private final int total;
        private final long started;
        private int done;

        StepProgress(ProgressListener listener, CancellationToken token, int total, long started) {
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
            RgbImage preview = listener == ProgressListener.NONE ? null : LatentPreview.of(latents);
            listener.onProgress(new Progress("denoise", done, total, elapsed, eta, preview));
            token.check();
        }
    }
}
