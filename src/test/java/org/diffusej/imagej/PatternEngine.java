package org.diffusej.imagej;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.Mask;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

/**
 * A test engine with known arithmetic, for testing the ImageJ plumbing without a model: img2img mixes the init
 * image with a seeded pattern by {@code strength}; inpaint does that only where the mask is 1 (keeping other
 * pixels bit-identical, as the real pipeline's paste-back does); txt2img returns the pattern.
 */
final class PatternEngine implements DiffusionEngine {
    static final ModelInfo INFO = new ModelInfo("pattern", "memory", "0123456789", "SD1", false, false);

    /** What this engine says it is (tests set another family to see the faces' defaults follow). */
    volatile ModelInfo info = INFO;
    final AtomicInteger generations = new AtomicInteger();
    volatile long stepDelayMillis;
    volatile boolean closed;
    volatile Request lastRequest;
    /** Steps run so far by all generations. */
    final AtomicInteger stepsDone = new AtomicInteger();

    @Override
    public Result generate(Request request, ProgressListener listener, CancellationToken token) throws CancelledException {
        generations.incrementAndGet();
        lastRequest = request;
        long base = request.seed() == -1 ? 1234 : request.seed();
        int n = Math.max(1, request.batchCount()) * Math.max(1, request.batchSize());
        List<RgbImage> images = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        List<String> infos = new ArrayList<>();
        boolean cancelled = false;
        for (int k = 0; k < n && !cancelled; k++) {
            for (int s = 1; s <= request.steps(); s++) {
                if (token.isCancelled()) { cancelled = true; break; }
                sleep();
                stepsDone.incrementAndGet();
                listener.onProgress(new Progress("denoise", k * request.steps() + s, n * request.steps(), 0, -1, null));
            }
            if (cancelled) break;
            images.add(render(request, base + k));
            seeds.add(base + k);
            infos.add(org.diffusej.engine.infotext.Infotext.of(request, base + k, INFO));
        }
        if (cancelled && images.isEmpty()) throw new CancelledException();
        return new Result(images, seeds, infos, request.toBuilder().seed(base).build(), INFO, Map.of("total", 0.01), cancelled, "");
    }

    static RgbImage render(Request r, long seed) {
        int w = r.width(), h = r.height();
        RgbImage out = RgbImage.blank(w, h);
        Mask mask = r.mask();
        double a = r.mode() == org.diffusej.engine.Mode.TXT2IMG ? 1 : r.strength();
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    float p = pattern(seed, c, x, y);
                    float init = r.initImage() == null ? 0 : r.initImage().get(c, x, y);
                    float mixed = (float) ((1 - a) * init + a * p);
                    float m = mask == null ? 1 : mask.get(x, y);
                    out.set(c, x, y, m >= 0.5f ? mixed : init);
                }
        return out;
    }

    static float pattern(long seed, int c, int x, int y) {
        long v = seed * 31 + c * 7919 + x * 104729L + y * 1299709L;
        v ^= v >>> 13; v *= 0x9E3779B97F4A7C15L; v ^= v >>> 29;
        return ((v >>> 40) & 0xff) / 255f;
    }

    private void sleep() {
        if (stepDelayMillis <= 0) return;
        try { Thread.sleep(stepDelayMillis); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }

    @Override public ModelInfo model() { return info; }
    @Override public void close() { closed = true; }
}
