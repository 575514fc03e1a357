package org.diffusej.imagej;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.Rectangle;
import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;

/**
 * The one place where ImageJ images and selections become the engine's {@link RgbImage}/{@link Mask} and back.
 *
 * <p>The engine sees what the user sees: grey images go through their display range and LUT, composites are
 * rendered like ImageJ's composite mode. Going back ("keep type") inverts that rendering: identity or inverted
 * grey LUTs invert exactly up to rounding; colour LUTs map each pixel to the nearest LUT entry; composite
 * channels are recovered by projecting onto each channel's LUT colour (exact for disjoint colours such as the
 * usual red/green/blue channels).
 */
public final class ImageConversion {

    /** Smallest width/height of an image or selection the engine gets: one latent pixel of real SD models. */
    public static final int MIN_SIDE = 8;
    /** Largest width/height sent to the engine at once (AUTOMATIC1111's slider limit). */
    public static final int MAX_SIDE = 2048;

    private ImageConversion() { }

    // -- checks the user can act on --

    /** Refuses sizes the engine cannot work on, naming {@code what} ("The image", "The selection"). */
    public static void checkSize(int width, int height, String what) throws UnsuitableImageException {
        if (width < MIN_SIDE || height < MIN_SIDE)
            throw new UnsuitableImageException(what + " is only " + width + "×" + height + " pixels; DiffuseJ needs at least "
                    + MIN_SIDE + "×" + MIN_SIDE + ".");
        if (width > MAX_SIDE || height > MAX_SIDE)
            throw new UnsuitableImageException(what + " is " + width + "×" + height + " pixels; DiffuseJ works on at most "
                    + MAX_SIDE + "×" + MAX_SIDE + " at once. Select a smaller region or scale the image down (Image › Scale…).");
    }

    // -- ImageJ to engine --

    /** The current plane of {@code imp} as displayed (composites: all channels at the current slice and frame). */
    public static RgbImage toRgb(ImagePlus imp) {
        return toRgb(imp, new Rectangle(0, 0, imp.getWidth(), imp.getHeight()));
    }

    /** The part {@code region} (inside the image) of the current plane of {@code imp}, as displayed. */
    public static RgbImage toRgb(ImagePlus imp, Rectangle region) {
        if (isCompositeView(imp)) return renderComposite((CompositeImage) imp, region);
        return toRgb(imp.getProcessor(), region);
    }

    /** One plane (any type) with its own LUT and display range. */
    public static RgbImage toRgb(ImageProcessor ip, Rectangle r) {
        RgbImage out = RgbImage.blank(r.width, r.height);
        if (ip instanceof ColorProcessor cp) {
            for (int y = 0; y < r.height; y++)
                for (int x = 0; x < r.width; x++) {
                    int c = cp.get(r.x + x, r.y + y);
                    out.set(0, x, y, ((c >> 16) & 0xff) / 255f);
                    out.set(1, x, y, ((c >> 8) & 0xff) / 255f);
                    out.set(2, x, y, (c & 0xff) / 255f);
                }
            return out;
        }
        GreyLut lut = new GreyLut(ip.getLut(), ip.isInvertedLut());
        double min = ip.getMin(), max = ip.getMax();
        float[] rgb = new float[3];
        for (int y = 0; y < r.height; y++)
            for (int x = 0; x < r.width; x++) {
                lut.colour(level(ip.getf(r.x + x, r.y + y), min, max), rgb);
                out.set(0, x, y, rgb[0]);
                out.set(1, x, y, rgb[1]);
                out.set(2, x, y, rgb[2]);
            }
        return out;
    }

    /** Region {@code r} of one grey plane as a grey picture: {@code min → 0}, {@code max → 1}, clamped (no LUT). */
    public static RgbImage toGrey(ImageProcessor ip, Rectangle r, double min, double max) {
        RgbImage out = RgbImage.blank(r.width, r.height);
        for (int y = 0; y < r.height; y++)
            for (int x = 0; x < r.width; x++) {
                float t = level(ip.getf(r.x + x, r.y + y), min, max);
                for (int k = 0; k < 3; k++) out.set(k, x, y, t);
            }
        return out;
    }

    /**
     * Writes grey picture {@code img} (mean of its channels) into {@code target} at (x0, y0), mapped back to
     * min..max; pixels within half an 8-bit level of {@code before} (what the engine got) keep their value.
     */
    public static void fromGrey(RgbImage img, ImageProcessor target, int x0, int y0, double min, double max, RgbImage before) {
        for (int y = 0; y < img.height(); y++)
            for (int x = 0; x < img.width(); x++) {
                float t = Math.max(0f, Math.min(1f, (img.get(0, x, y) + img.get(1, x, y) + img.get(2, x, y)) / 3f));
                if (Math.abs(t - before.get(0, x, y)) > 0.5f / 255f) target.setf(x0 + x, y0 + y, rawValue(t, min, max, target));
            }
    }

    /** True when {@code imp} shows several channels blended (composite display mode). */
    public static boolean isCompositeView(ImagePlus imp) {
        return imp.isComposite() && ((CompositeImage) imp).getMode() == IJ.COMPOSITE;
    }

    private static RgbImage renderComposite(CompositeImage ci, Rectangle r) {
        float[] sum = new float[3 * r.width * r.height];
        boolean[] active = ci.getActiveChannels();
        float[] rgb = new float[3];
        for (int c = 1; c <= ci.getNChannels(); c++) {
            if (active != null && c - 1 < active.length && !active[c - 1]) continue;
            ImageProcessor ip = ci.getStack().getProcessor(ci.getStackIndex(c, ci.getZ(), ci.getT()));
            LUT lut = ci.getChannelLut(c);
            GreyLut colours = new GreyLut(lut, false);
            for (int y = 0; y < r.height; y++)
                for (int x = 0; x < r.width; x++) {
                    colours.indexed(level(ip.getf(r.x + x, r.y + y), lut.min, lut.max), rgb);
                    for (int k = 0; k < 3; k++) sum[(k * r.height + y) * r.width + x] += rgb[k];
                }
        }
        for (int i = 0; i < sum.length; i++) sum[i] = Math.min(1f, sum[i]);
        return new RgbImage(r.width, r.height, sum);
    }

    /** Value → position in the display range, clamped to [0, 1]. */
    private static float level(float v, double min, double max) {
        if (max <= min) return v >= max ? 1f : 0f;
        double t = (v - min) / (max - min);
        return (float) Math.max(0, Math.min(1, t));
    }

    // -- engine to ImageJ --

    /** An RGB processor of {@code img}. */
    public static ColorProcessor toColorProcessor(RgbImage img) {
        int w = img.width(), h = img.height();
        ColorProcessor cp = new ColorProcessor(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                cp.set(x, y, (byte8(img.get(0, x, y)) << 16) | (byte8(img.get(1, x, y)) << 8) | byte8(img.get(2, x, y)));
        return cp;
    }

    /**
     * {@code img} in the type of {@code like}'s current plane ("keep type"): same bit depth, LUT and display
     * range; RGB for RGB images and for composites shown blended (see {@link #toChannels}).
     */
    public static ImageProcessor toProcessorLike(RgbImage img, ImagePlus like) {
        if (isCompositeView(like)) return toColorProcessor(img);
        return toProcessorLike(img, like.getProcessor());
    }

    /** {@code img} in the type of {@code like}, with its LUT and display range. */
    public static ImageProcessor toProcessorLike(RgbImage img, ImageProcessor like) {
        if (like instanceof ColorProcessor) return toColorProcessor(img);
        int w = img.width(), h = img.height();
        GreyLut lut = new GreyLut(like.getLut(), like.isInvertedLut());
        ImageProcessor out = like instanceof ByteProcessor ? new ByteProcessor(w, h)
                : like instanceof ShortProcessor ? new ShortProcessor(w, h) : new FloatProcessor(w, h);
        double min = like.getMin(), max = like.getMax();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                float t = lut.level(img.get(0, x, y), img.get(1, x, y), img.get(2, x, y));
                out.setf(x, y, rawValue(t, min, max, out));
            }
        out.setLut(like.getLut());
        out.setMinAndMax(min, max);
        return out;
    }

    /** Display level t ∈ [0, 1] → raw pixel value of {@code target}'s type. */
    private static float rawValue(float t, double min, double max, ImageProcessor target) {
        double v = min + t * (max - min);
        if (target instanceof FloatProcessor) return (float) v;
        double top = target instanceof ByteProcessor ? 255 : 65535;
        return (float) Math.max(0, Math.min(top, Math.round(v)));
    }

    /**
     * Splits an RGB rendering back into the channels of composite {@code ci} (each in its own type and display
     * range) by projecting every pixel onto each channel's brightest LUT colour.
     */
    public static ImageProcessor[] toChannels(ColorProcessor rgb, CompositeImage ci) {
        int n = ci.getNChannels(), w = rgb.getWidth(), h = rgb.getHeight();
        ImageProcessor[] out = new ImageProcessor[n];
        for (int c = 1; c <= n; c++) {
            LUT lut = ci.getChannelLut(c);
            int top = lut.getRGB(255);
            double lr = (top >> 16) & 0xff, lg = (top >> 8) & 0xff, lb = top & 0xff;
            double norm = lr * lr + lg * lg + lb * lb;
            ImageProcessor like = ci.getStack().getProcessor(ci.getStackIndex(c, ci.getZ(), ci.getT()));
            ImageProcessor ch = like.createProcessor(w, h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int p = rgb.get(x, y);
                    double dot = ((p >> 16) & 0xff) * lr + ((p >> 8) & 0xff) * lg + (p & 0xff) * lb;
                    float t = norm == 0 ? 0f : (float) Math.max(0, Math.min(1, dot / norm));
                    ch.setf(x, y, rawValue(t, lut.min, lut.max, ch));
                }
            out[c - 1] = ch;
        }
        return out;
    }

    /** A stack of {@code images} in the type of {@code like}'s current plane, labelled with {@code labels}. */
    public static ImageStack toStackLike(java.util.List<RgbImage> images, java.util.List<String> labels, ImagePlus like) {
        ImageStack stack = new ImageStack(images.get(0).width(), images.get(0).height());
        for (int i = 0; i < images.size(); i++)
            stack.addSlice(labels.get(i), like == null ? toColorProcessor(images.get(i)) : toProcessorLike(images.get(i), like));
        return stack;
    }

    private static int byte8(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    // -- selections --

    /**
     * The area selection {@code roi} as a mask over a {@code width × height} image (1 inside); any area type,
     * composite selections included. Lines, points, selections outside the image and tiny selections are refused.
     */
    public static Mask toMask(Roi roi, int width, int height) throws UnsuitableImageException {
        if (roi == null)
            throw new UnsuitableImageException("There is no selection. Draw a selection (rectangle, oval, polygon, freehand…) "
                    + "around the area to repaint, then run the command again.");
        if (!roi.isArea())
            throw new UnsuitableImageException("A " + roi.getTypeAsString().toLowerCase() + " selection has no area to repaint. "
                    + "Draw an area selection, or convert it with Edit › Selection › Line to Area.");
        Rectangle b = roi.getBounds();
        Rectangle inside = b.intersection(new Rectangle(0, 0, width, height));
        if (inside.isEmpty())
            throw new UnsuitableImageException("The selection lies outside the image (" + b.x + "," + b.y + " "
                    + b.width + "×" + b.height + " on a " + width + "×" + height + " image).");
        checkSize(inside.width, inside.height, "The selection (inside the image)");
        float[] m = new float[width * height];
        ImageProcessor roiMask = roi.getMask(); // null for plain rectangles; covers b otherwise
        int count = 0;
        for (int y = inside.y; y < inside.y + inside.height; y++)
            for (int x = inside.x; x < inside.x + inside.width; x++)
                if (roiMask == null || roiMask.get(x - b.x, y - b.y) != 0) {
                    m[y * width + x] = 1f;
                    count++;
                }
        if (count == 0)
            throw new UnsuitableImageException("The selection covers no pixel of the image.");
        return new Mask(width, height, m);
    }

    /** The LUT of a grey plane, with exact inversion for the identity and inverted grey LUTs. */
    private static final class GreyLut {
        private final byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        private final boolean identity;
        private final boolean inverted;

        GreyLut(LUT lut, boolean invertedLut) {
            int n = lut.getMapSize();
            byte[] rr = new byte[n], gg = new byte[n], bb = new byte[n];
            lut.getReds(rr); lut.getGreens(gg); lut.getBlues(bb);
            for (int i = 0; i < 256; i++) {
                int k = Math.min(n - 1, i * n / 256);
                r[i] = rr[k]; g[i] = gg[k]; b[i] = bb[k];
            }
            boolean id = true, inv = true;
            for (int i = 0; i < 256; i++) {
                int ri = r[i] & 0xff;
                boolean grey = ri == (g[i] & 0xff) && ri == (b[i] & 0xff);
                id &= grey && ri == i;
                inv &= grey && ri == 255 - i;
            }
            identity = id;
            inverted = inv && invertedLut;
        }

        /** Display level → colour; continuous for grey LUTs (no 8-bit quantisation of 16/32-bit data). */
        void colour(float t, float[] rgb) {
            if (identity || inverted) {
                float v = identity ? t : 1f - t;
                rgb[0] = v; rgb[1] = v; rgb[2] = v;
            } else indexed(t, rgb);
        }

        void indexed(float t, float[] rgb) {
            int i = Math.round(t * 255f);
            rgb[0] = (r[i] & 0xff) / 255f; rgb[1] = (g[i] & 0xff) / 255f; rgb[2] = (b[i] & 0xff) / 255f;
        }

        /** Colour → display level: exact for grey LUTs, the nearest LUT entry otherwise. */
        float level(float red, float green, float blue) {
            if (identity || inverted) {
                float v = Math.max(0f, Math.min(1f, (red + green + blue) / 3f));
                return identity ? v : 1f - v;
            }
            int best = 0;
            float bestD = Float.MAX_VALUE;
            for (int i = 0; i < 256; i++) {
                float dr = red * 255f - (r[i] & 0xff), dg = green * 255f - (g[i] & 0xff), db = blue * 255f - (b[i] & 0xff);
                float d = dr * dr + dg * dg + db * db;
                if (d < bestD) { bestD = d; best = i; }
            }
            return best / 255f;
        }
    }
}
