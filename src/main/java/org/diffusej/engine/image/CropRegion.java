package org.diffusej.engine.image;

import org.diffusej.engine.Mask;

/**
 * A pixel rectangle [x1, x2) × [y1, y2), as AUTOMATIC1111's "only masked" inpainting computes it
 * ({@code masking.get_crop_region_v2} + {@code expand_crop_region}).
 */
public record CropRegion(int x1, int y1, int x2, int y2) {
    /** A mask value counts as masked when it would be non-zero as an 8-bit pixel (A1111 works on 8-bit masks). */
    static final float NONZERO = 0.5f / 255f;

    public int width() { return x2 - x1; }
    public int height() { return y2 - y1; }

    /**
     * The bounds of the masked pixels grown by {@code padding} on every side and clipped to the mask, or null if
     * nothing is masked.
     */
    public static CropRegion around(Mask mask, int padding) {
        int w = mask.width(), h = mask.height();
        int x1 = w, y1 = h, x2 = 0, y2 = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (mask.get(x, y) >= NONZERO) {
                    x1 = Math.min(x1, x); y1 = Math.min(y1, y);
                    x2 = Math.max(x2, x + 1); y2 = Math.max(y2, y + 1);
                }
        if (x2 == 0) return null;
        return new CropRegion(Math.max(x1 - padding, 0), Math.max(y1 - padding, 0),
                Math.min(x2 + padding, w), Math.min(y2 + padding, h));
    }

    /**
     * Grows the shorter side so the region has the aspect ratio of the processing size, shifted back inside the
     * image when it would leave it (A1111's {@code expand_crop_region}; integer arithmetic as there).
     */
    public CropRegion expandedToAspect(int processingWidth, int processingHeight, int imageWidth, int imageHeight) {
        int nx1 = x1, ny1 = y1, nx2 = x2, ny2 = y2;
        double ratioCrop = (double) (x2 - x1) / (y2 - y1);
        double ratioProcessing = (double) processingWidth / processingHeight;
        if (ratioCrop > ratioProcessing) {
            int diff = (int) ((x2 - x1) / ratioProcessing - (y2 - y1));
            ny1 -= Math.floorDiv(diff, 2);
            ny2 += diff - Math.floorDiv(diff, 2);
            if (ny2 >= imageHeight) { int d = ny2 - imageHeight; ny2 -= d; ny1 -= d; }
            if (ny1 < 0) { ny2 -= ny1; ny1 = 0; }
            if (ny2 >= imageHeight) ny2 = imageHeight;
        } else {
            int diff = (int) ((y2 - y1) * ratioProcessing - (x2 - x1));
            nx1 -= Math.floorDiv(diff, 2);
            nx2 += diff - Math.floorDiv(diff, 2);
            if (nx2 >= imageWidth) { int d = nx2 - imageWidth; nx2 -= d; nx1 -= d; }
            if (nx1 < 0) { nx2 -= nx1; nx1 = 0; }
            if (nx2 >= imageWidth) nx2 = imageWidth;
        }
        return new CropRegion(nx1, ny1, nx2, ny2);
    }
}
