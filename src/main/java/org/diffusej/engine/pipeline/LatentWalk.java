package org.diffusej.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.text.PromptEncoder;
import org.diffusej.engine.text.PromptSyntaxException;

import java.util.List;
import org.diffusej.engine.NoiseSource;
import org.diffusej.engine.Request;

/**
 * Latent walks ("Dream"): noise that moves smoothly from one seed's noise to another's by spherical interpolation
 * (slerp keeps the norm a Gaussian sample of that size has; a straight mix would shrink it and wash the image out).
 * The pipeline applies it for a request's variation seed and strength; walks between two prompts
 * ({@link #conditioning}) for its second prompt and mix; both may vary together.
 */
public final class LatentWalk {
    /** Below this angle between the two noises, slerp falls back to a straight mix (they are nearly parallel). */
    private static final double PARALLEL = 1e-4;

    private LatentWalk() { }

    /**
     * Noise whose first draw (the initial latents) is {@code slerp(noise(seedA), noise(seedB), t)}; later draws
     * (img2img re-noising, ancestral samplers) continue {@code seedA}'s own stream, so t = 0 is exactly seed A.
     */
    public static NoiseSource between(long seedA, long seedB, double t) {
        return between(NoiseSource.seeded(seedA), NoiseSource.seeded(seedB), t);
    }

    /**
     * Noise whose first draw is {@code slerp(a.next, b.next, t)} and whose later draws are {@code a}'s: A1111's
     * variation seed ({@code subseed}, {@code subseed_strength}), which also applies only to the initial noise.
     */
    static NoiseSource between(NoiseSource a, NoiseSource b, double t) {
        return new NoiseSource() {
            private boolean first = true;

            @Override
            public NDArray next(Shape shape, NDManager manager) {
                NDArray na = a.next(shape, manager);
                if (!first) return na;
                first = false;
                if (t == 0) return na;
                try (NDArray nb = b.next(shape, manager)) {
                    NDArray out = slerp(na, nb, t);
                    na.close();
                    return out;
                }
            }

            @Override
            public NDArray brownian(double sigma, double sigmaNext, double sigmaMin, double sigmaMax, Shape shape,
                                    NDManager manager) {
                return a.brownian(sigma, sigmaNext, sigmaMin, sigmaMax, shape, manager); // A1111: the seed's own tree
            }
        };
    }

    /**
     * The request's conditioning: its prompt and negative prompt encoded to the same length (A1111's behaviour), or,
     * with a {@link Request#secondPrompt()}, a walk from the prompt (mix t = 0) to the second prompt (t = 1): the
     * positive conditioning is the straight mix {@code (1−t)·cond(prompt) + t·cond(promptB)}, both padded with empty chunks to the longer
     * one's length (the negative prompt too), as A1111 pads prompt and negative prompt. A straight mix, not slerp:
     * CLIP's per-token hidden states are not isotropic Gaussian samples whose norm must be kept (slerp's reason for
     * noise), and the mix is what prompt blending commonly uses (ComfyUI's ConditioningAverage, diffusers-based
     * prompt walks). The ends are the plain prompts' own conditioning without cross padding, so frame t = 0 (t = 1)
     * is exactly that prompt's ordinary image; with prompts of different chunk counts the first step away from an
     * end also adds the padding.
     */
    static PromptEncoder.Conditioning conditioning(PromptEncoder prompts, Request r, NDManager m)
            throws PromptSyntaxException {
        double t = r.promptMix();
        if (!r.hasSecondPrompt() || t == 0) return prompts.encodePair(r.prompt(), r.negativePrompt(), r.clipSkip(), m);
        String promptB = r.secondPrompt();
        if (t == 1) return prompts.encodePair(promptB, r.negativePrompt(), r.clipSkip(), m);
        List<NDArray> z = prompts.encodeAligned(List.of(r.prompt(), promptB, r.negativePrompt()), r.clipSkip(), m);
        NDArray mix = z.get(0).mul((float) (1 - t)).add(z.get(1).mul((float) t));
        z.get(0).close();
        z.get(1).close();
        int tokens = Math.max(prompts.chunker().chunk(r.prompt()).tokenCount(),
                prompts.chunker().chunk(promptB).tokenCount());
        return new PromptEncoder.Conditioning(mix, z.get(2), tokens,
                prompts.chunker().chunk(r.negativePrompt()).tokenCount());
    }

    /** Spherical interpolation of two same-shape arrays at {@code t} ∈ [0, 1], in float64 for the angle. */
    public static NDArray slerp(NDArray a, NDArray b, double t) {
        double na = Math.sqrt(a.square().sum().getFloat()), nb = Math.sqrt(b.square().sum().getFloat());
        double cos = a.mul(b).sum().getFloat() / (na * nb);
        double omega = Math.acos(Math.max(-1, Math.min(1, cos)));
        if (omega < PARALLEL) return a.mul((float) (1 - t)).add(b.mul((float) t));
        double s = Math.sin(omega);
        return a.mul((float) (Math.sin((1 - t) * omega) / s)).add(b.mul((float) (Math.sin(t * omega) / s)));
    }

    /** {@code frames} positions from 0 to 1 inclusive (one frame: 0). */
    public static double[] positions(int frames) {
        double[] t = new double[frames];
        for (int i = 0; i < frames; i++) t[i] = frames == 1 ? 0 : (double) i / (frames - 1);
        return t;
    }
}
