package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

/**
 * AUTOMATIC1111's masked content "fill" ({@code masking.fill}): the masked area is replaced by blurred colours of
 * its surroundings before img2img, so the model starts from matching colours instead of the old content.
 *
 * <p>The unmasked pixels, with opacity 1 − mask, are blurred at radii 256, 64, 16, 4, 2 and 0 and composited
 * "over" each other (1, 1, 2, 4, 2, 1 times), widest first: far from any kept pixel the colour is the wide
 * average, near the edge it is the local colour, and the kept pixels themselves come out unchanged.
 */
public final class MaskedFill {
    private static final int[][] LAYERS = {{256, 1}, {64, 1}, {16, 2}, {4, 4}, {2, 2}, {0, 1}};

    private MaskedFill() { }

    public static RgbImage fill(RgbImage image, Mask mask) {
        int w = image.width(), h = image.height(), n = w * h;
        if (mask.width() != w || mask.height() != h)
            throw new IllegalArgumentException("image and mask differ in size");
        float[] premultiplied = new float[4 * n]; // r·a, g·a, b·a, a
        for (int i = 0; i < n; i++) {
            float a = 1 - Math.min(1f, Math.max(0f, mask.values()[i]));
            for (int c = 0; c < 3; c++) premultiplied[c * n + i] = image.planes()[c * n + i] * a;
            premultiplied[3 * n + i] = a;
        }
        float[] outColor = new float[3 * n];
        float[] outAlpha = new float[n];
        for (int[] layer : LAYERS) {
            float[][] blurred = new float[4][];
            for (int c = 0; c < 4; c++) {
                float[] plane = new float[n];
                System.arraycopy(premultiplied, c * n, plane, 0, n);
                blurred[c] = GaussianBlur.approximate(plane, w, h, layer[0]);
            }
            for (int repeat = 0; repeat < layer[1]; repeat++)
                for (int i = 0; i < n; i++) {
                    float sa = blurred[3][i];
                    if (sa <= 0) continue;
                    float da = outAlpha[i];
                    float oa = sa + da * (1 - sa);
                    for (int c = 0; c < 3; c++) {
                        float sc = blurred[c][i] / sa; // un-premultiply
                        outColor[c * n + i] = (sc * sa + outColor[c * n + i] * da * (1 - sa)) / oa;
                    }
                    outAlpha[i] = oa;
                }
        }
        for (int i = 0; i < outColor.length; i++) outColor[i] = Math.min(1f, Math.max(0f, outColor[i]));
        return new RgbImage(w, h, outColor);
    }
}
