package org.diffusej.engine.image;

import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

/**
 * Outpainting's canvas: the image extended by some pixels on chosen sides, the new area pre-filled with the
 * stretched and blurred edge colours (so the model sees colour context instead of black), and the inpaint mask
 * that covers the new area plus an overlap into the original (so the seam itself is repainted).
 */
public final class Outpaint {
    /** Pixels added on each side. */
    public record Sides(int left, int top, int right, int bottom) {
        public Sides {
            if (left < 0 || top < 0 || right < 0 || bottom < 0)
                throw new IllegalArgumentException("outpaint extensions must be ≥ 0");
        }

        public static Sides all(int px) { return new Sides(px, px, px, px); }
    }

    /** The extended image and its mask (1 = to generate). */
    public record Canvas(RgbImage image, Mask mask, Sides sides) { }

    private Outpaint() { }

    /**
     * @param overlap how far (px) the mask reaches into the original image along the extended sides
     */
    public static Canvas extend(RgbImage image, Sides sides, int overlap) {
        int w = image.width(), h = image.height();
        int cw = w + sides.left() + sides.right(), ch = h + sides.top() + sides.bottom();
        // 1. stretch the edge pixels outwards
        RgbImage stretched = RgbImage.blank(cw, ch);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < ch; y++) {
                int sy = Math.min(h - 1, Math.max(0, y - sides.top()));
                for (int x = 0; x < cw; x++) {
                    int sx = Math.min(w - 1, Math.max(0, x - sides.left()));
                    stretched.set(c, x, y, image.get(c, sx, sy));
                }
            }
        // 2. blur the stretched streaks in the new area; the original pixels stay exact
        int widest = Math.max(Math.max(sides.left(), sides.right()), Math.max(sides.top(), sides.bottom()));
        double sigma = Math.max(2.0, widest / 4.0);
        int n = cw * ch;
        float[] out = new float[3 * n];
        float[] mask = new float[n];
        for (int c = 0; c < 3; c++) {
            float[] plane = new float[n];
            System.arraycopy(stretched.planes(), c * n, plane, 0, n);
            float[] blurred = GaussianBlur.approximate(plane, cw, ch, sigma);
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++) {
                    int i = y * cw + x;
                    boolean inside = x >= sides.left() && x < sides.left() + w && y >= sides.top() && y < sides.top() + h;
                    out[c * n + i] = inside ? plane[i] : blurred[i];
                }
        }
        // 3. the mask: new area plus the overlap band on the extended sides
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++) {
                boolean keep = x >= sides.left() + (sides.left() > 0 ? overlap : 0)
                        && x < sides.left() + w - (sides.right() > 0 ? overlap : 0)
                        && y >= sides.top() + (sides.top() > 0 ? overlap : 0)
                        && y < sides.top() + h - (sides.bottom() > 0 ? overlap : 0);
                mask[y * cw + x] = keep ? 0f : 1f;
            }
        return new Canvas(new RgbImage(cw, ch, out), new Mask(cw, ch, mask), sides);
    }
}
