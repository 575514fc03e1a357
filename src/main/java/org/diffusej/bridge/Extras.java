package org.diffusej.bridge;

import org.diffusej.engine.RgbImage;
import org.diffusej.engine.image.Resampler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * AUTOMATIC1111's "Extras" upscaling with its built-in upscalers, as {@code scripts/postprocessing_upscale.py} and
 * {@code modules/upscaler.py} define them: "None" (nothing done), "Lanczos" and "Nearest" (one resize by the factor
 * with that filter, then a Lanczos resize to the size rounded down to a multiple of 8); a factor, or a target size
 * (factor = the larger of the two ratios, then centre-pasted on a black canvas of the target size when cropping); an
 * optional second upscaler blended in by its visibility. Model upscalers (ESRGAN, SwinIR, ...) are not available.
 *
 * @param upscaler1  first upscaler's name
 * @param upscaler2  second upscaler's name ("None" = none)
 * @param visibility2 weight of the second upscaler's image in [0, 1]
 * @param toSize     A1111 {@code resize_mode} 1: upscale to {@code width × height} instead of by {@code factor}
 * @param factor     A1111 {@code upscaling_resize}
 * @param width      A1111 {@code upscaling_resize_w}
 * @param height     A1111 {@code upscaling_resize_h}
 * @param crop       A1111 {@code upscaling_crop}: with {@code toSize}, the result is exactly {@code width × height}
 */
record Extras(String upscaler1, String upscaler2, double visibility2, boolean toSize, double factor, int width,
              int height, boolean crop) {
    static final String NONE = "None";
    static final String LANCZOS = "Lanczos";
    static final String NEAREST = "Nearest";
    /** The built-in upscalers, in A1111's order ({@code /sdapi/v1/upscalers}). */
    static final List<String> UPSCALERS = List.of(NONE, LANCZOS, NEAREST);
    /** A1111's {@code scale} of the built-in upscalers' entries. */
    static final int LISTED_SCALE = 4;

    /** The built-in upscaler called {@code name} (case ignored), or null. */
    static String canonical(String name) {
        if (name == null) return NONE;
        for (String u : UPSCALERS) if (u.toLowerCase(Locale.ROOT).equals(name.strip().toLowerCase(Locale.ROOT))) return u;
        return null;
    }

    /** The factor applied to an image of {@code w × h}. */
    double factorFor(int w, int h) {
        return toSize ? Math.max((double) width / w, (double) height / h) : factor;
    }

    /** The output size for an input of {@code w × h} (what a client gets back). */
    int[] outputSize(int w, int h) {
        if (NONE.equals(upscaler1)) return new int[] {w, h};
        if (toSize && crop) return new int[] {width, height};
        double f = factorFor(w, h);
        return new int[] {multipleOf8(w * f), multipleOf8(h * f)};
    }

    /** The upscaled image. */
    RgbImage apply(RgbImage img) {
        if (NONE.equals(upscaler1)) return img;
        RgbImage first = upscale(img, upscaler1);
        if (!NONE.equals(upscaler2) && visibility2 > 0) first = blend(first, upscale(img, upscaler2), visibility2);
        return first;
    }

    /** A1111's infotext of the step, e.g. "Postprocess upscale by: 2, Postprocess upscaler: Lanczos". */
    String info(int w, int h) {
        if (NONE.equals(upscaler1)) return "";
        Map<String, Object> p = new LinkedHashMap<>();
        if (toSize) p.put("Postprocess upscale to", width + "x" + height);
        else p.put("Postprocess upscale by", factor == Math.rint(factor) ? (Object) (long) factor : (Object) factor);
        if (toSize && crop) p.put("Postprocess crop to", width + "x" + height);
        p.put("Postprocess upscaler", upscaler1);
        if (!NONE.equals(upscaler2) && visibility2 > 0) {
            p.put("Postprocess upscaler 2", upscaler2);
            p.put("Postprocess upscaler 2 visibility", visibility2);
        }
        List<String> parts = new ArrayList<>();
        p.forEach((k, v) -> parts.add(k + ": " + v));
        return String.join(", ", parts);
    }

    private RgbImage upscale(RgbImage img, String upscaler) {
        if (NONE.equals(upscaler)) return img;
        double f = factorFor(img.width(), img.height());
        int destW = multipleOf8(img.width() * f), destH = multipleOf8(img.height() * f);
        RgbImage out = img;
        if (img.width() < destW || img.height() < destH) { // do_upscale: one resize by the factor with its filter
            Resampler.Filter filter = NEAREST.equals(upscaler) ? Resampler.Filter.NEAREST : Resampler.Filter.LANCZOS;
            out = Resampler.resize(img, (int) (img.width() * f), (int) (img.height() * f), filter);
        }
        if (out.width() != destW || out.height() != destH)
            out = Resampler.resize(out, destW, destH, Resampler.Filter.LANCZOS);
        return toSize && crop ? pasteCentred(out, width, height) : out;
    }

    /** int((size × factor) // 8 × 8), at least 8. */
    private static int multipleOf8(double size) {
        return Math.max(8, (int) (Math.floor(size / 8) * 8));
    }

    /** {@code img} pasted with its centre on the centre of a black {@code w × h} canvas (A1111's crop). */
    static RgbImage pasteCentred(RgbImage img, int w, int h) {
        RgbImage out = RgbImage.blank(w, h);
        int x0 = w / 2 - img.width() / 2, y0 = h / 2 - img.height() / 2;
        for (int c = 0; c < 3; c++)
            for (int y = Math.max(0, y0); y < Math.min(h, y0 + img.height()); y++)
                for (int x = Math.max(0, x0); x < Math.min(w, x0 + img.width()); x++)
                    out.set(c, x, y, img.get(c, x - x0, y - y0));
        return out;
    }

    /** PIL's {@code Image.blend}: a·(1 − t) + b·t (same sizes: both upscalers target the same size). */
    private static RgbImage blend(RgbImage a, RgbImage b, double t) {
        RgbImage out = RgbImage.blank(a.width(), a.height());
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < a.height(); y++)
                for (int x = 0; x < a.width(); x++)
                    out.set(c, x, y, (float) (a.get(c, x, y) * (1 - t) + b.get(c, x, y) * t));
        return out;
    }
}
