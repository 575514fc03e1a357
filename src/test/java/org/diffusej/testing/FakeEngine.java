package org.diffusej.testing;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.SamplerNames;
import org.diffusej.engine.infotext.Infotext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The one stand-in {@link DiffusionEngine} of the face tests (CLI, bridge, Fiji): no model, every pixel a known
 * function of the request ({@link Picture}), and the real pipeline's contract for everything else.
 * <ul>
 *   <li>Seed −1 becomes {@link #RANDOM_SEED}; image {@code k} of a job gets seed + k; the result's request carries
 *       the seed used.</li>
 *   <li>Each image runs {@code steps} steps (each sleeps {@link #stepMillis(long)} and reports progress with
 *       elapsed time and ETA); the token is checked after every step, as the pipeline does: a cancel drops the
 *       image under way and returns the finished ones ({@code cancelled} set, never an exception); an interrupt or
 *       skip ends the image under way early and keeps it, listed in {@link Result#unfinished()}.</li>
 *   <li>An unknown sampler is refused with {@link InvalidRequestException}, as {@code Samplers} does.</li>
 *   <li>Infotexts are the engine's own {@link Infotext#of}.</li>
 * </ul>
 * Records every request it ran, the steps run, the most generations at once and whether it was closed.
 */
public final class FakeEngine implements DiffusionEngine {
    /** The seed a request with seed −1 gets (the real engine draws one at random). */
    public static final long RANDOM_SEED = 1234;

    private final Picture picture;
    private final ModelInfo model;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger stepsRun = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private volatile long stepMillis;
    private volatile IntConsumer beforeImage = k -> { };
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;

    /** An engine drawing {@code picture} for the model {@link #modelInfo(String) named} {@code modelName}. */
    public FakeEngine(Picture picture, String modelName) {
        this(picture, modelInfo(modelName));
    }

    /** An engine drawing {@code picture} that reports {@code model}. */
    public FakeEngine(Picture picture, ModelInfo model) {
        this.picture = picture;
        this.model = model;
    }

    /** An SD1 model called {@code name} at {@code /models/NAME.safetensors} with short hash {@code 0123456789}. */
    public static ModelInfo modelInfo(String name) {
        return new ModelInfo(name, "/models/" + name + ".safetensors", "0123456789", "SD1", false, false);
    }

    /** Makes each step sleep this long (0: no sleep); may change while a job runs. */
    public FakeEngine stepMillis(long millis) {
        this.stepMillis = millis;
        return this;
    }

    /** Called with the index of each image before its first step (tests cancel from here). */
    public FakeEngine beforeImage(IntConsumer hook) {
        this.beforeImage = hook;
        return this;
    }

    /** Makes the next {@code generate} (once) throw {@code failure}, a RuntimeException or an Error, as a bug would. */
    public FakeEngine failNext(Throwable failure) {
        if (!(failure instanceof RuntimeException || failure instanceof Error))
            throw new IllegalArgumentException("failNext takes an unchecked throwable, not " + failure);
        this.failure.set(failure);
        return this;
    }

    @Override
    public Result generate(Request request, ProgressListener listener, CancellationToken token) throws InvalidRequestException {
        Throwable bug = failure.getAndSet(null);
        if (bug instanceof Error e) throw e;
        if (bug != null) throw (RuntimeException) bug;
        if (SamplerNames.canonical(request.sampler()).isEmpty())
            throw new InvalidRequestException("Unknown sampler '" + request.sampler() + "'.");
        requests.add(request);
        maxConcurrent.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            return run(request.toBuilder().seed(request.seed() == -1 ? RANDOM_SEED : request.seed()).build(), listener, token);
        } finally {
            running.decrementAndGet();
        }
    }

    private Result run(Request r, ProgressListener listener, CancellationToken token) {
        long start = System.nanoTime();
        int n = r.batchSize() * r.batchCount();
        int total = n * r.steps();
        List<RgbImage> images = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        List<String> infotexts = new ArrayList<>();
        List<Integer> unfinished = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            beforeImage.accept(k);
            if (token.isCancelled()) break;
            boolean early = false, dropped = false;
            for (int s = 1; s <= r.steps() && !early && !dropped; s++) {
                sleep(stepMillis);
                stepsRun.incrementAndGet();
                int done = k * r.steps() + s;
                double elapsed = (System.nanoTime() - start) / 1e9;
                listener.onProgress(new Progress("denoise", done, total, elapsed, elapsed / done * (total - done), null));
                early = s < r.steps() && (token.keepsUnfinished() || token.skipRequested());
                dropped = !early && token.isCancelled() && !token.keepsUnfinished();
            }
            token.clearSkip();
            if (dropped) break;
            long seed = r.seed() + k;
            if (early) unfinished.add(images.size());
            images.add(picture.draw(r, seed));
            seeds.add(seed);
            infotexts.add(Infotext.of(r, seed, model));
        }
        return new Result(images, seeds, infotexts, r, model, Map.of("total", (System.nanoTime() - start) / 1e9),
                token.isCancelled(), "", unfinished);
    }

    private static void sleep(long ms) {
        if (ms <= 0) return;
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every request that reached the engine, oldest first (live; tests may clear it). */
    public List<Request> requests() { return requests; }

    /** The newest request that reached the engine, or null. */
    public Request lastRequest() { return requests.isEmpty() ? null : requests.get(requests.size() - 1); }

    /** Steps run so far by all generations. */
    public int stepsRun() { return stepsRun.get(); }

    /** Generations running now. */
    public int running() { return running.get(); }

    /** The most generations that ever ran at once. */
    public int maxConcurrent() { return maxConcurrent.get(); }

    public boolean isClosed() { return closed; }

    @Override
    public ModelInfo model() { return model; }

    @Override
    public void close() { closed = true; }
}
