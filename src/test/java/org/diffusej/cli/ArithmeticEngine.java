package org.diffusej.cli;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.Mode;
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
import java.util.function.IntConsumer;

/**
 * A stand-in engine for CLI plumbing tests: each output pixel is a known function of the request (txt2img: a
 * ramp of the seed; img2img/inpaint: the init image inverted by {@code strength}, only under the mask), so a test
 * can predict every written value.
 */
final class ArithmeticEngine implements DiffusionEngine {
    static final ModelInfo INFO = new ModelInfo("arith", "memory", "abcdef0123", "SD1", true, false);

    /** What this engine says it is (tests set another family to see the defaults follow). */
    volatile ModelInfo info = INFO;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Called with the number of images finished so far, before each image (tests cancel from here). */
    volatile IntConsumer beforeImage = n -> { };
    volatile RuntimeException failure;
    volatile boolean closed;
    volatile long stepDelayMillis;

    @Override
    public Result generate(Request r, ProgressListener listener, CancellationToken token) {
        if (failure != null) throw failure;
        requests.add(r);
        int n = r.batchSize() * r.batchCount();
        List<RgbImage> images = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        List<String> infotexts = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            beforeImage.accept(k);
            if (token.isCancelled()) break;
            for (int s = 1; s <= r.steps(); s++) {
                sleep(stepDelayMillis);
                listener.onProgress(new Progress("denoise", k * r.steps() + s, n * r.steps(), 0.1, 0.1, null));
            }
            images.add(expected(r, r.seed() + k));
            seeds.add(r.seed() + k);
            infotexts.add(r.prompt() + "\nSteps: " + r.steps() + ", Sampler: " + r.sampler() + ", Seed: " + (r.seed() + k)
                    + ", Size: " + r.width() + "x" + r.height() + ", Model: arith");
        }
        return new Result(images, seeds, infotexts, r, INFO, Map.of("total", 0.5), images.size() < n, "");
    }

    private static void sleep(long ms) {
        try {
            if (ms > 0) Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What this engine returns for one image. */
    static RgbImage expected(Request r, long seed) {
        RgbImage init = r.initImage();
        int w = init == null ? r.width() : init.width(), h = init == null ? r.height() : init.height();
        RgbImage out = RgbImage.blank(w, h);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    float v;
                    if (r.mode() == Mode.TXT2IMG) v = ((x + 3 * y + 17 * c + seed) % 256) / 255f;
                    else {
                        float in = init.get(c, x, y);
                        float changed = (float) ((1 - r.strength()) * in + r.strength() * (1 - in));
                        v = r.mask() == null || r.mask().get(x, y) >= 0.5f ? changed : in;
                    }
                    out.set(c, x, y, v);
                }
        return out;
    }

    @Override public ModelInfo model() { return info; }
    @Override public void close() { closed = true; }
}
