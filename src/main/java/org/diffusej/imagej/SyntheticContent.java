package org.diffusej.imagej;

import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import java.awt.Color;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffusej.engine.infotext.Infotext;

/**
 * Marks generated pixels as such. Each applied candidate becomes a named ROI of exactly the pixels it changed, in
 * the image's Overlay (saved in TIFF, present headless and in macros; Image › Overlay › To ROI Manager copies it to
 * the ROI Manager). The image carries the flag {@value #FLAG}{@code =true} and, per generated region in the order
 * they were made, its seed, model hash, sampler and ROI name in the string properties {@link #FIELDS}
 * ({@link ImagePlus#setProp}, saved in the TIFF header, listed by Image › Show Info).
 */
public final class SyntheticContent {
    /** The "contains synthetic content" flag: {@code "true"} when any pixel of the image was generated. */
    public static final String FLAG = "DiffuseJ.synthetic";
    public static final String SEEDS = FLAG + ".seed", MODEL_HASHES = FLAG + ".model_hash", SAMPLERS = FLAG + ".sampler",
            REGIONS = FLAG + ".regions";
    /** Every property this class writes; values of several regions are joined by {@value #SEPARATOR}. */
    public static final List<String> FIELDS = List.of(FLAG, SEEDS, MODEL_HASHES, SAMPLERS, REGIONS);
    public static final String SEPARATOR = "; ";
    /** Region name used when the whole image was generated (new images). */
    public static final String WHOLE_IMAGE = "whole image";
    /** Roi property {@link CandidateLayers#MARK} value of synthetic-pixel ROIs. */
    public static final String ROI_MARK = "synthetic";
    private static final Color STROKE = new Color(255, 0, 255);

    private SyntheticContent() { }

    /**
     * Records that the pixels {@code changed} (row-major over {@code region}) of {@code imp} were made by the
     * generation {@code infotext}: adds the ROI {@code "DiffuseJ synthetic: " + name} on the plane of {@code like}
     * and appends the region to the properties. Returns the ROI, or null when no pixel changed (nothing recorded).
     */
    public static Roi mark(ImagePlus imp, String name, String infotext, Rectangle region, boolean[] changed, Roi like) {
        Roi roi = outline(region, changed);
        if (roi == null) return null;
        Overlay overlay = imp.getOverlay() == null ? new Overlay() : imp.getOverlay();
        roi.setName(CandidateLayers.uniqueName(overlay, "DiffuseJ synthetic: " + name));
        roi.setProperty(CandidateLayers.MARK, ROI_MARK);
        if (infotext != null) roi.setProperty(Provenance.KEY, infotext);
        roi.setStrokeColor(STROKE);
        if (like != null && like.hasHyperStackPosition())
            roi.setPosition(like.getCPosition(), like.getZPosition(), like.getTPosition());
        else if (like != null) roi.setPosition(like.getPosition());
        overlay.add(roi);
        imp.setOverlay(overlay);
        append(imp, infotext, roi.getName());
        return roi;
    }

    /**
     * Flags a new image made by the generations {@code infotexts} (one per slice or candidate); {@code region} says
     * which pixels are generated ({@link #WHOLE_IMAGE}, or e.g. "border beyond the original 64x48 at (8,0)").
     */
    public static void markNewImage(ImagePlus imp, List<String> infotexts, String region) {
        for (String info : infotexts) append(imp, info, region);
    }

    /** True when {@code imp} is flagged as containing generated pixels. */
    public static boolean isSynthetic(ImagePlus imp) {
        return "true".equals(imp.getProp(FLAG));
    }

    /** The values of {@link #FIELDS} on {@code imp} (null where absent), in that order. */
    static Map<String, String> fields(ImagePlus imp) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : FIELDS) out.put(key, imp.getImageProperties() == null ? null : imp.getImageProperties().getProperty(key));
        return out;
    }

    /** Puts back {@code fields} as {@link #fields} returned them (absent ones are removed). */
    static void restore(ImagePlus imp, Map<String, String> fields) {
        fields.forEach((key, value) -> {
            if (value != null) imp.setProp(key, value);
            else if (imp.getImageProperties() != null) imp.getImageProperties().remove(key);
        });
    }

    /** The synthetic-pixel ROIs in {@code imp}'s overlay, in overlay order. */
    static List<Roi> rois(ImagePlus imp) {
        List<Roi> out = new ArrayList<>();
        Overlay overlay = imp.getOverlay();
        if (overlay != null)
            for (Roi roi : overlay.toArray()) if (ROI_MARK.equals(roi.getProperty(CandidateLayers.MARK))) out.add(roi);
        return out;
    }

    /** Replaces the synthetic-pixel ROIs in {@code imp}'s overlay by {@code rois}. */
    static void restoreRois(ImagePlus imp, List<Roi> rois) {
        Overlay overlay = imp.getOverlay();
        if (overlay == null && rois.isEmpty()) return;
        if (overlay == null) overlay = new Overlay();
        for (Roi roi : rois(imp)) overlay.remove(roi);
        for (Roi roi : rois) overlay.add(roi);
        imp.setOverlay(overlay);
    }

    /** A ROI of exactly the {@code true} pixels of {@code changed} (row-major over {@code region}), or null. */
    static Roi outline(Rectangle region, boolean[] changed) {
        ByteProcessor bp = new ByteProcessor(region.width, region.height);
        boolean any = false;
        for (int i = 0; i < changed.length; i++)
            if (changed[i]) { bp.set(i % region.width, i / region.width, 255); any = true; }
        if (!any) return null;
        bp.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
        Roi roi = new ThresholdToSelection().convert(bp);
        Rectangle b = roi.getBounds();
        roi.setLocation(region.x + b.x, region.y + b.y);
        return roi;
    }

    private static void append(ImagePlus imp, String infotext, String region) {
        Map<String, Object> p = infotext == null ? Map.of() : Infotext.parse(infotext);
        boolean first = !isSynthetic(imp);
        imp.setProp(FLAG, "true");
        add(imp, SEEDS, value(p, "Seed"), first);
        add(imp, MODEL_HASHES, value(p, "Model hash"), first);
        add(imp, SAMPLERS, value(p, "Sampler"), first);
        add(imp, REGIONS, region, first);
    }

    private static void add(ImagePlus imp, String key, String value, boolean first) {
        String before = imp.getProp(key);
        imp.setProp(key, first || before == null ? value : before + SEPARATOR + value);
    }

    private static String value(Map<String, Object> p, String key) {
        Object v = p.get(key);
        return v == null ? "unknown" : String.valueOf(v).strip();
    }
}
