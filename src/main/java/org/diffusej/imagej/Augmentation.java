package org.diffusej.imagej;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ImageProcessor;
import ij.process.LUT;
import java.awt.Rectangle;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

/**
 * Scientific augmentation: N seeded img2img variants of every plane of an image, in the plane's own type,
 * LUT, display range and calibration. Each output slice is labelled with its source plane and the full
 * generation parameters, so every variant can be regenerated from its label alone. Variants are stacked along
 * time: variant k of plane (c, z, t) sits at (c, z, t + k·T).
 */
public final class Augmentation {

    /** Runs one request; the command supplies it (progress, cancellation, the shared engine). */
    @FunctionalInterface
    public interface Generator {
        Result run(Request request, String what) throws DiffusionException;
    }

    private Augmentation() { }

    /**
     * Augments every plane of {@code source}. {@code template} carries prompt, strength, sampler...; plane p
     * (1-based) uses seed {@code seed + (p-1)·variants} (−1: random, resolved and recorded by the engine).
     */
    public static ImagePlus augment(ImagePlus source, Request.Builder template, int variants, long seed, Generator generator)
            throws DiffusionException {
        int w = source.getWidth(), h = source.getHeight(), planes = source.getStackSize();
        ImageConversion.checkSize(w, h, "The image \"" + source.getTitle() + "\"");
        ImageProcessor[][] out = new ImageProcessor[variants][planes];
        String[][] labels = new String[variants][planes];
        for (int p = 1; p <= planes; p++) {
            ImageProcessor like = displayedPlane(source, p);
            RgbImage input = ImageConversion.toRgb(like, new Rectangle(0, 0, w, h));
            long planeSeed = seed < 0 ? -1 : seed + (long) (p - 1) * variants;
            Result res = generator.run(template.initImage(input).seed(planeSeed).batchSize(1).batchCount(variants).build(),
                    "augment " + source.getTitle() + " plane " + p + "/" + planes);
            if (res.images().size() < variants) throw new org.diffusej.engine.CancelledException();
            String name = sourceName(source, p);
            for (int k = 0; k < variants; k++) {
                out[k][p - 1] = ImageConversion.toProcessorLike(res.images().get(k), like);
                labels[k][p - 1] = Provenance.sliceLabel(name + " variant " + (k + 1) + " seed " + res.seeds().get(k),
                        res.infotexts().get(k));
            }
        }
        return assemble(source, out, labels, " augmented", "DiffuseJ augmentation of \"" + source.getTitle() + "\": "
                + variants + " variant(s) of " + planes + " plane(s); each slice label holds the parameters that made it.\n");
    }

    /** The first line of a plane's label: "title: existing label" or "title plane p". */
    static String sourceName(ImagePlus source, int p) {
        String label = source.getStack().getShortSliceLabel(p);
        return source.getTitle() + (label == null || label.isBlank() ? " plane " + p : ": " + label.strip());
    }

    /** Plane p (1-based) with the LUT and display range it is shown with. */
    static ImageProcessor displayedPlane(ImagePlus imp, int p) {
        ImageProcessor ip = imp.getStack().getProcessor(p).duplicate();
        if (imp.isComposite()) {
            LUT lut = ((CompositeImage) imp).getChannelLut(imp.convertIndexToPosition(p)[0]);
            ip.setLut(lut);
            ip.setMinAndMax(lut.min, lut.max);
        } else if (ip.getBitDepth() != 24) {
            ImageProcessor shown = imp.getProcessor();
            ip.setLut(shown.getLut());
            ip.setMinAndMax(shown.getMin(), shown.getMax());
        }
        return ip;
    }

    /**
     * A new image of {@code source}'s C×Z×T shape per variant ({@code out[k][p]}: variant k of plane p), variants
     * stacked along time, with {@code source}'s LUTs, display range and calibration, marked synthetic.
     */
    static ImagePlus assemble(ImagePlus source, ImageProcessor[][] out, String[][] labels, String suffix, String info) {
        ImageStack stack = new ImageStack(source.getWidth(), source.getHeight());
        for (int k = 0; k < out.length; k++)
            for (int p = 0; p < out[k].length; p++) stack.addSlice(labels[k][p], out[k][p]);
        ImagePlus result = new ImagePlus(source.getTitle() + suffix, stack);
        int[] dims = source.getDimensions(); // w, h, C, Z, T
        result.setDimensions(dims[2], dims[3], dims[4] * out.length);
        if (source.isComposite()) {
            CompositeImage ci = new CompositeImage(result, ((CompositeImage) source).getMode());
            ci.setLuts(((CompositeImage) source).getLuts());
            result = ci;
        } else {
            result.setOpenAsHyperStack(source.isHyperStack());
            if (source.getBitDepth() != 24) result.getProcessor().setMinAndMax(source.getDisplayRangeMin(), source.getDisplayRangeMax());
        }
        result.setCalibration(source.getCalibration().copy());
        java.util.List<String> infotexts = new java.util.ArrayList<>();
        for (String[] variant : labels) for (String label : variant) infotexts.add(Provenance.fromSliceLabel(label));
        SyntheticContent.markNewImage(result, infotexts, SyntheticContent.WHOLE_IMAGE);
        result.setProperty("Info", info);
        return result;
    }
}
