package org.diffusej.testing;

import org.diffusej.engine.Mask;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;

/**
 * What a {@link FakeEngine} draws: a known value per channel and pixel, so a test can predict every output. The
 * image has the init image's size (txt2img: the request's); img2img changes every pixel, inpaint only those where
 * the mask is ≥ 0.5 (or &lt; 0.5 with {@code invertMask}), keeping the others bit-identical as the pipeline's
 * paste-back does. The three differ because their tests need different things.
 */
public enum Picture {
    /**
     * For the CLI's file tests: txt2img {@code ((x + 3y + 17c + seed) mod 256) / 255}, exact in 8-bit files;
     * img2img/inpaint the init value inverted by {@code strength}: {@code (1 − s)·v + s·(1 − v)}.
     */
    RAMP {
        @Override
        float value(Request r, long seed, int c, int x, int y, float init) {
            if (r.mode() == Mode.TXT2IMG) return ((x + 3 * y + 17 * c + seed) % 256) / 255f;
            return (float) ((1 - r.strength()) * init + r.strength() * (1 - init));
        }
    },
    /**
     * For Fiji's tests: a hashed noise {@link #pattern} of seed, channel and position (every pixel differs);
     * img2img/inpaint mix it with the init image by {@code strength}: {@code (1 − s)·v + s·pattern}.
     */
    PATTERN {
        @Override
        float value(Request r, long seed, int c, int x, int y, float init) {
            double a = r.mode() == Mode.TXT2IMG ? 1 : r.strength();
            return (float) ((1 - a) * init + a * pattern(seed, c, x, y));
        }
    },
    /**
     * For the bridge's and Krita's tests (krita-bridge/tests/e2e_scenario.py computes the same): every changed
     * pixel gets the flat {@link #colour} of the seed, whatever the strength.
     */
    FLAT {
        @Override
        float value(Request r, long seed, int c, int x, int y, float init) {
            return colour(seed)[c];
        }
    };

    abstract float value(Request r, long seed, int c, int x, int y, float init);

    /** The image a {@link FakeEngine} drawing this returns for {@code r} and the image seed {@code seed}. */
    public RgbImage draw(Request r, long seed) {
        RgbImage init = r.initImage();
        Mask mask = r.mask();
        int w = init == null ? r.width() : init.width(), h = init == null ? r.height() : init.height();
        RgbImage out = RgbImage.blank(w, h);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    float in = init == null ? 0 : init.get(c, x, y);
                    boolean change = init == null || mask == null || (mask.get(x, y) >= 0.5f) != r.invertMask();
                    out.set(c, x, y, change ? value(r, seed, c, x, y, in) : in);
                }
        return out;
    }

    /** The RGB colour {@link #FLAT} gives the seed: {@code (seed mod 7)/6, (seed mod 5)/4, (seed mod 3)/2}. */
    public static float[] colour(long seed) {
        return new float[] {(seed % 7) / 6f, (seed % 5) / 4f, (seed % 3) / 2f};
    }

    /** The value {@link #PATTERN} gives channel {@code c} at (x, y) for the seed, in [0, 1]. */
    public static float pattern(long seed, int c, int x, int y) {
        long v = seed * 31 + c * 7919 + x * 104729L + y * 1299709L;
        v ^= v >>> 13;
        v *= 0x9E3779B97F4A7C15L;
        v ^= v >>> 29;
        return ((v >>> 40) & 0xff) / 255f;
    }
}
