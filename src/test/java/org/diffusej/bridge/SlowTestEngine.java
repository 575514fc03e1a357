package org.diffusej.bridge;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test engine for the server's queue/interrupt mechanics: each step sleeps {@code stepMillis} and checks the token
 * (cancel stops; interrupt and skip end the current image early and keep it, as the real engine does);
 * images are flat colours from the seed (img2img/inpaint: the init image, masked area replaced by that colour).
 * Records every request and the most generations it ever saw at once.
 */
final class SlowTestEngine implements DiffusionEngine {
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final AtomicInteger stepsRun = new AtomicInteger();
    volatile boolean closed;
    private final ModelInfo model;
    private final long stepMillis;

    SlowTestEngine(String name, long stepMillis) {
        this(name, stepMillis, "SD1", false);
    }

    /** An engine that says it is a model of {@code family} ("SD1", "SD2", "SDXL"). */
    SlowTestEngine(String name, long stepMillis, String family, boolean vPrediction) {
        this.model = new ModelInfo(name, "/models/" + name + ".safetensors", "0123456789", family, false, vPrediction);
        this.stepMillis = stepMillis;
    }

    /** The colour every pixel of a txt2img image with this seed gets. */
    static float[] colour(long seed) {
        return new float[] {(seed % 7) / 6f, (seed % 5) / 4f, (seed % 3) / 2f};
    }

    @Override
    public Result generate(Request r, ProgressListener listener, CancellationToken token) throws DiffusionException {
        if (r.sampler().equals("No such sampler")) throw new InvalidRequestException("Unknown sampler 'No such sampler'.");
        requests.add(r);
        maxConcurrent.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            long seed0 = r.seed() == -1 ? 1234 : r.seed();
            int n = r.batchSize() * r.batchCount();
            int total = r.steps() * n;
            long start = System.nanoTime();
            List<RgbImage> images = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            List<String> infotexts = new ArrayList<>();
            List<Integer> unfinished = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                boolean early = false;
                for (int s = 0; s < r.steps(); s++) {
                    if (s > 0 && (token.skipRequested() || token.keepsUnfinished())) { early = true; break; } // as the engine: keep it
                    token.check();
                    sleep();
                    stepsRun.incrementAndGet();
                    int done = k * r.steps() + s + 1;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    listener.onProgress(new Progress("denoise", done, total, elapsed, elapsed / done * (total - done), null));
                }
                long seed = seed0 + k;
                if (early) unfinished.add(images.size());
                token.clearSkip();
                images.add(image(r, seed));
                seeds.add(seed);
                infotexts.add(r.prompt() + "\nNegative prompt: " + r.negativePrompt() + "\nSteps: " + r.steps()
                        + ", Sampler: " + r.sampler() + ", CFG scale: " + r.cfgScale() + ", Seed: " + seed
                        + ", Size: " + r.width() + "x" + r.height() + ", Model hash: " + model.shortHash() + ", Model: " + model.name());
                if (token.isCancelled()) break;
            }
            return new Result(images, seeds, infotexts, r.toBuilder().seed(seed0).build(), model,
                    Map.of("total", (System.nanoTime() - start) / 1e9), token.isCancelled(), "", unfinished);
        } finally {
            running.decrementAndGet();
        }
    }

    private void sleep() {
        try {
            Thread.sleep(stepMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RgbImage image(Request r, long seed) {
        float[] c = colour(seed);
        RgbImage out = r.initImage() != null ? r.initImage().copy() : RgbImage.blank(r.width(), r.height());
        for (int y = 0; y < out.height(); y++)
            for (int x = 0; x < out.width(); x++) {
                boolean paint = r.initImage() == null || r.mask() == null || (r.mask().get(x, y) >= 0.5f) != r.invertMask();
                if (paint) for (int ch = 0; ch < 3; ch++) out.set(ch, x, y, c[ch]);
            }
        return out;
    }

    @Override
    public ModelInfo model() { return model; }

    @Override
    public void close() { closed = true; }
}
