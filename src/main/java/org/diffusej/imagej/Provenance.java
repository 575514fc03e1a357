package org.diffusej.imagej;

import ij.ImagePlus;
import java.util.Map;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.SamplerNames;

/**
 * Where generation parameters (AUTOMATIC1111 "parameters" text) live on ImageJ images: the image property
 * {@value #KEY} (saved in TIFF), the image's Info (Image › Show Info), a layer's Roi property of the same
 * name, and the second line onwards of a stack slice label.
 */
public final class Provenance {
    /** Property name, the same as the PNG text chunk AUTOMATIC1111 writes. */
    public static final String KEY = "parameters";
    /** The heading of the parameters block in Info (Image › Show Info). */
    public static final String INFO_HEADING = "DiffuseJ parameters:";

    private Provenance() { }

    /**
     * Records {@code infotext} as the parameters that made {@code imp}'s pixels: the property, and a block at the end
     * of Info that replaces the block of the parameters recorded before (one block, however often it is called).
     */
    public static void record(ImagePlus imp, String infotext) {
        Object info = imp.getProperty("Info");
        String text = info instanceof String s ? s : "";
        String before = imp.getImageProperties() == null ? null : imp.getImageProperties().getProperty(KEY);
        if (before != null) {
            int at = text.lastIndexOf(infoBlock(before));
            if (at >= 0) text = text.substring(0, at) + text.substring(at + infoBlock(before).length());
        }
        String previous = text.isBlank() ? "" : text.stripTrailing() + "\n\n";
        imp.setProp(KEY, infotext);
        imp.setProperty("Info", previous + infoBlock(infotext));
    }

    /** The block {@link #record} writes into Info. */
    static String infoBlock(String infotext) {
        return INFO_HEADING + "\n" + infotext + "\n";
    }

    /** The parameters recorded on {@code imp}, or null. */
    public static String read(ImagePlus imp) {
        return imp.getProp(KEY);
    }

    /** A slice label: a short title line, then the parameters. */
    public static String sliceLabel(String title, String infotext) {
        return title + "\n" + infotext;
    }

    /** The parameters part of a {@link #sliceLabel} label, or null if it has none. */
    public static String fromSliceLabel(String label) {
        if (label == null) return null;
        int nl = label.indexOf('\n');
        return nl < 0 ? null : label.substring(nl + 1);
    }

    /**
     * A request with the recorded parameters of {@code infotext} (prompt, negative prompt, steps, sampler, schedule, spacing,
     * CFG, seed, size, strength, clip skip, inpaint settings), for {@code mode}; the caller adds the init image and
     * mask. Unreadable numbers are a message, not an exception.
     */
    public static Request.Builder requestFrom(String infotext, Mode mode) throws UnsuitableImageException {
        Map<String, Object> p = Infotext.parse(infotext);
        try {
            Request.Builder b = Request.builder(mode).prompt(text(p, "Prompt")).negativePrompt(text(p, "Negative prompt"));
            if (p.containsKey("Steps")) b.steps(Integer.parseInt(text(p, "Steps")));
            if (p.containsKey("Sampler")) b.sampler(text(p, "Sampler"));
            String schedule = text(p, "Schedule type");
            b.scheduler(schedule.isEmpty() || schedule.equals(SamplerNames.AUTOMATIC) ? null : schedule);
            String spacing = text(p, Infotext.SCHEDULE_SPACING);
            b.timestepSpacing(spacing.isEmpty() ? null : spacing);
            if (p.containsKey("CFG scale")) b.cfgScale(Double.parseDouble(text(p, "CFG scale")));
            if (p.containsKey("Seed")) b.seed(Long.parseLong(text(p, "Seed")));
            if (p.containsKey("Size-1")) b.size(Integer.parseInt(text(p, "Size-1")), Integer.parseInt(text(p, "Size-2")));
            if (p.containsKey("Denoising strength")) b.strength(Double.parseDouble(text(p, "Denoising strength")));
            b.clipSkip(Integer.parseInt(text(p, "Clip skip")));
            if (p.containsKey("Mask blur")) b.maskBlur(Integer.parseInt(text(p, "Mask blur")));
            else if (mode == Mode.INPAINT) b.maskBlur(0); // A1111 leaves out a blur of 0
            b.onlyMasked("Only masked".equals(text(p, "Inpaint area")));
            b.onlyMaskedPadding(Integer.parseInt(text(p, "Masked area padding")));
            b.invertMask("Inpaint not masked".equals(text(p, "Mask mode")));
            b.maskedContent(switch (text(p, "Masked content")) {
                case "fill" -> MaskedContent.FILL;
                case "latent noise" -> MaskedContent.LATENT_NOISE;
                case "latent nothing" -> MaskedContent.LATENT_NOTHING;
                default -> MaskedContent.ORIGINAL;
            });
            return b;
        } catch (NumberFormatException e) {
            throw new UnsuitableImageException("The recorded parameters cannot be read (" + e.getMessage() + "):\n" + infotext);
        }
    }

    private static String text(Map<String, Object> p, String key) {
        Object v = p.get(key);
        return v == null ? "" : String.valueOf(v).strip();
    }
}
