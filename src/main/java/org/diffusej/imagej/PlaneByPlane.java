package org.diffusej.imagej;

import ij.ImagePlus;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

/**
 * Stacks and hyperstacks through the engine one plane at a time: every channel of every slice and frame goes in
 * as a grey image normalised to that channel's own data range (its min..max over all slices and frames, so no
 * value is clipped and a dim channel is not drowned by a bright one), and comes back in the source's bit depth,
 * within that range, with LUTs, display ranges and calibration kept. RGB planes go through as colour.
 */
public final class PlaneByPlane {

    private PlaneByPlane() { }

    /** True when {@code imp} cannot be shown to the engine as one RGB picture: a composite with more than 3 channels. */
    public static boolean required(ImagePlus imp) {
        return imp != null && imp.isComposite() && imp.getNChannels() > 3;
    }

    /** What a run over every plane of {@code imp} with {@code candidates} candidates will do, for the dialog. */
    public static String describe(ImagePlus imp, int candidates) {
        if (imp == null) return "Stacks and hyperstacks: each channel, slice and frame is restyled on its own (grey, "
                + "normalised to the channel's min..max); the result is a new image of the same shape and bit depth.";
        int[] d = imp.getDimensions();
        return "\"" + imp.getTitle() + "\": " + d[2] + " channel(s) × " + d[3] + " slice(s) × " + d[4] + " frame(s) = "
                + imp.getStackSize() + " plane(s), " + imp.getBitDepth() + "-bit. "
                + (required(imp) ? "More than 3 channels cannot be blended into one RGB picture, so every plane is restyled on its own. " : "")
                + "Each plane goes through the engine as a grey image normalised to its channel's min..max; the new image keeps "
                + "the bit depth and calibration (candidates along time: " + d[4] + " × " + candidates + " frames).";
    }

    /**
     * Runs {@code template} (img2img) on region {@code region} of every plane of {@code source}, {@code candidates}
     * times each; plane p (1-based) uses seed {@code seed + (p-1)·candidates} (−1: random). Pixels outside the
     * region keep their values. Returns a new image: candidate k of plane (c, z, t) sits at (c, z, t + k·T).
     */
    public static ImagePlus run(ImagePlus source, Rectangle region, Request.Builder template, int candidates, long seed,
            Augmentation.Generator generator, String what) throws DiffusionException {
        return run(source, region, template, candidates, seed, generator, what, false);
    }

    /**
     * As {@link #run(ImagePlus, Rectangle, Request.Builder, int, long, Augmentation.Generator, String)}; with
     * {@code currentOnly} only the channels of the slice and frame shown go through the engine (the other planes are
     * copied). Pixels the engine left unchanged (within half an 8-bit level) keep their exact values.
     */
    public static ImagePlus run(ImagePlus source, Rectangle region, Request.Builder template, int candidates, long seed,
            Augmentation.Generator generator, String what, boolean currentOnly) throws DiffusionException {
        int planes = source.getStackSize();
        double[][] ranges = channelRanges(source);
        ImageProcessor[][] out = new ImageProcessor[candidates][planes];
        String[][] labels = new String[candidates][planes];
        for (int p = 1; p <= planes; p++) {
            ImageProcessor plane = source.getStack().getProcessor(p);
            int[] pos = source.convertIndexToPosition(p);
            if (currentOnly && (pos[1] != source.getZ() || pos[2] != source.getT())) {
                for (int k = 0; k < candidates; k++) {
                    out[k][p - 1] = plane.duplicate();
                    labels[k][p - 1] = source.getStack().getSliceLabel(p);
                }
                continue;
            }
            double[] range = ranges[source.convertIndexToPosition(p)[0] - 1];
            RgbImage input = plane.getBitDepth() == 24 ? ImageConversion.toRgb(plane, region)
                    : ImageConversion.toGrey(plane, region, range[0], range[1]);
            long planeSeed = seed < 0 ? -1 : seed + (long) (p - 1) * candidates;
            Result res = generator.run(template.initImage(input).seed(planeSeed).batchSize(1).batchCount(candidates).build(),
                    what + " plane " + p + "/" + planes);
            if (res.images().size() < candidates) throw new CancelledException();
            String name = Augmentation.sourceName(source, p);
            for (int k = 0; k < candidates; k++) {
                ImageProcessor o = plane.duplicate();
                RgbImage img = res.images().get(k);
                if (o.getBitDepth() == 24) o.insert(ImageConversion.toColorProcessor(img), region.x, region.y);
                else ImageConversion.fromGrey(img, o, region.x, region.y, range[0], range[1], input);
                out[k][p - 1] = o;
                labels[k][p - 1] = Provenance.sliceLabel(name + " candidate " + (k + 1) + " seed " + res.seeds().get(k),
                        res.infotexts().get(k));
            }
        }
        return Augmentation.assemble(source, out, labels, " " + what, "DiffuseJ " + what + " of \"" + source.getTitle() + "\": "
                + candidates + " candidate(s) of " + planes + " plane(s), each channel normalised to its own min..max; "
                + "each slice label holds the parameters that made it.\n");
    }

    /** Per channel (0-based) {min, max} of the raw values over every slice and frame. */
    static double[][] channelRanges(ImagePlus imp) {
        int channels = imp.getNChannels();
        double[][] r = new double[channels][];
        for (int c = 0; c < channels; c++) r[c] = new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int p = 1; p <= imp.getStackSize(); p++) {
            ImageProcessor ip = imp.getStack().getProcessor(p);
            if (ip.getBitDepth() == 24) continue;
            double[] cr = r[imp.convertIndexToPosition(p)[0] - 1];
            for (int i = 0; i < ip.getPixelCount(); i++) {
                float v = ip.getf(i);
                if (Float.isNaN(v)) continue;
                cr[0] = Math.min(cr[0], v);
                cr[1] = Math.max(cr[1], v);
            }
        }
        for (double[] cr : r) if (cr[0] > cr[1]) { cr[0] = 0; cr[1] = 0; } // no finite value (RGB, all NaN)
        return r;
    }
}
