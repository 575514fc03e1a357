package org.diffusej.imagej;

import ij.ImagePlus;

/**
 * Where generation parameters (AUTOMATIC1111 "parameters" text) live on ImageJ images: the image property
 * {@value #KEY} (saved in TIFF), the image's Info (Image › Show Info), a layer's Roi property of the same
 * name, and the second line onwards of a stack slice label.
 */
public final class Provenance {
    /** Property name, the same as the PNG text chunk AUTOMATIC1111 writes. */
    public static final String KEY = "parameters";

    private Provenance() { }

    /** Records {@code infotext} as the parameters that made {@code imp}'s pixels. */
    public static void record(ImagePlus imp, String infotext) {
        imp.setProp(KEY, infotext);
        Object info = imp.getProperty("Info");
        String previous = info instanceof String s && !s.isBlank() ? s.stripTrailing() + "\n\n" : "";
        imp.setProperty("Info", previous + "DiffuseJ parameters:\n" + infotext + "\n");
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
}
