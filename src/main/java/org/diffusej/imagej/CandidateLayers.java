package org.diffusej.imagej;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.Undo;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.Mask;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;

/**
 * Generation results as named, toggleable {@link ImageRoi} layers in an image's Overlay, and the one undoable
 * step that applies a chosen layer to the pixels. Pixels the engine left unchanged keep their exact original
 * values, so nothing outside the generated area is ever altered (not even by type-conversion rounding).
 */
public final class CandidateLayers {
    /** Roi property that marks DiffuseJ candidate layers. */
    public static final String MARK = "diffusej";
    /** A change in any channel larger than this (engine units, [0,1]) counts as a changed pixel. */
    private static final float UNCHANGED = 0.5f / 255f;

    private CandidateLayers() { }

    /**
     * Adds one layer per result image. {@code input} is what the engine got (the image's region {@code at});
     * each layer covers the pixels the engine changed plus {@code mask}'s bounds (if any), placed over the
     * current plane. Returns the layers in result order.
     */
    public static List<ImageRoi> add(ImagePlus imp, Result result, RgbImage input, Rectangle at, Mask mask, String label) {
        Overlay overlay = imp.getOverlay() == null ? new Overlay() : imp.getOverlay();
        List<ImageRoi> layers = new ArrayList<>();
        for (int i = 0; i < result.images().size(); i++) {
            RgbImage out = result.images().get(i);
            Rectangle r = changedBounds(input, out, mask == null ? null : mask.bounds());
            if (r == null) r = new Rectangle(0, 0, out.width(), out.height());
            Rectangle onImage = new Rectangle(at.x + r.x, at.y + r.y, r.width, r.height);
            ImageProcessor ip = mergeUnchanged(imp, onImage, input.crop(r.x, r.y, r.width, r.height),
                    out.crop(r.x, r.y, r.width, r.height));
            ImageRoi layer = new ImageRoi(onImage.x, onImage.y, ip);
            long seed = result.seeds().get(i);
            layer.setName(uniqueName(overlay, "DiffuseJ " + label + " " + (i + 1) + " (seed " + seed + ")"));
            layer.setProperty(MARK, "candidate");
            if (i < result.infotexts().size()) layer.setProperty(Provenance.KEY, result.infotexts().get(i));
            placeOnCurrentPlane(layer, imp);
            overlay.add(layer);
            layers.add(layer);
        }
        imp.setOverlay(overlay);
        return layers;
    }

    /** Names of {@code imp}'s candidate layers, newest first. */
    public static List<String> names(ImagePlus imp) {
        List<String> names = new ArrayList<>();
        Overlay overlay = imp.getOverlay();
        if (overlay != null)
            for (int i = overlay.size() - 1; i >= 0; i--)
                if (overlay.get(i) instanceof ImageRoi layer && layer.getProperty(MARK) != null) names.add(layer.getName());
        return names;
    }

    /** The candidate layer called {@code name}; with a blank name the most recently added candidate. */
    public static ImageRoi find(ImagePlus imp, String name) throws UnsuitableImageException {
        Overlay overlay = imp.getOverlay();
        if (overlay != null)
            for (int i = overlay.size() - 1; i >= 0; i--) {
                Roi roi = overlay.get(i);
                if (roi instanceof ImageRoi layer && layer.getProperty(MARK) != null
                        && (name == null || name.isBlank() || name.equals(roi.getName())))
                    return layer;
            }
        throw new UnsuitableImageException(name == null || name.isBlank()
                ? "The image \"" + imp.getTitle() + "\" has no DiffuseJ candidate layers. Run Inpaint Selection or Restyle Image first."
                : "The image \"" + imp.getTitle() + "\" has no DiffuseJ layer named \"" + name + "\".");
    }

    /** Writes {@code layer}'s pixels into {@code imp} as one step that Edit › Undo reverts; records its parameters. */
    public static void apply(ImagePlus imp, ImageRoi layer) throws UnsuitableImageException {
        Rectangle r = regionOf(imp, layer);
        moveToPlaneOf(layer, imp);
        ProvenanceUndo.Step undo = ProvenanceUndo.begin(imp, r);
        ImageProcessor[] pixels = appliedPixels(imp, layer, r);
        if (ImageConversion.isCompositeView(imp)) {
            CompositeImage ci = (CompositeImage) imp;
            Undo.setup(Undo.TRANSFORM, imp);
            for (int c = 0; c < pixels.length; c++)
                ci.getStack().getProcessor(ci.getStackIndex(c + 1, ci.getZ(), ci.getT())).insert(pixels[c], r.x, r.y);
        } else {
            ImageProcessor ip = imp.getProcessor();
            ip.snapshot();
            Undo.setup(Undo.FILTER, imp);
            ip.insert(pixels[0], r.x, r.y);
        }
        boolean[] changed = undo.written(imp);
        String infotext = layer.getProperty(Provenance.KEY);
        if (infotext != null) Provenance.record(imp, infotext);
        SyntheticContent.mark(imp, layer.getName(), infotext, r, changed, layer);
        undo.finish(imp);
        imp.changes = true;
        imp.updateAndDraw();
    }

    /**
     * The planes {@code imp}'s current plane would become if {@code layer} were applied, as new processors (the
     * image is not changed): one for a plain image or stack, one per channel (current z/t) for a composite view.
     */
    public static ImageProcessor[] planesWith(ImagePlus imp, ImageRoi layer) throws UnsuitableImageException {
        Rectangle r = regionOf(imp, layer);
        ImageProcessor[] pixels = appliedPixels(imp, layer, r);
        ImageProcessor[] planes = new ImageProcessor[pixels.length];
        for (int c = 0; c < pixels.length; c++) {
            planes[c] = (ImageConversion.isCompositeView(imp)
                    ? imp.getStack().getProcessor(imp.getStackIndex(c + 1, imp.getZ(), imp.getT())) : imp.getProcessor()).duplicate();
            planes[c].insert(pixels[c], r.x, r.y);
        }
        return planes;
    }

    /** True when {@code layer} was made on the plane {@code imp} shows now. */
    public static boolean onCurrentPlane(ImageRoi layer, ImagePlus imp) {
        if (imp.getStackSize() == 1) return true;
        if (layer.hasHyperStackPosition())
            return layer.getZPosition() == imp.getZ() && layer.getTPosition() == imp.getT()
                    && (layer.getCPosition() == 0 || layer.getCPosition() == imp.getC());
        return layer.getPosition() == 0 || layer.getPosition() == imp.getCurrentSlice();
    }

    private static Rectangle regionOf(ImagePlus imp, ImageRoi layer) throws UnsuitableImageException {
        Rectangle r = layer.getBounds().intersection(new Rectangle(0, 0, imp.getWidth(), imp.getHeight()));
        if (r.isEmpty()) throw new UnsuitableImageException("The layer \"" + layer.getName() + "\" lies outside the image.");
        return r;
    }

    /** What applying {@code layer} writes into region {@code r} of the current plane: one processor, or one per channel. */
    private static ImageProcessor[] appliedPixels(ImagePlus imp, ImageRoi layer, Rectangle r) {
        Rectangle inLayer = new Rectangle(r.x - layer.getBounds().x, r.y - layer.getBounds().y, r.width, r.height);
        RgbImage candidate = ImageConversion.toRgb(layer.getProcessor(), inLayer);
        RgbImage before = ImageConversion.toRgb(imp, r);
        ImageProcessor pixels = mergeUnchanged(imp, r, before, candidate);
        if (!ImageConversion.isCompositeView(imp)) return new ImageProcessor[] {pixels};
        CompositeImage ci = (CompositeImage) imp;
        ImageProcessor[] channels = ImageConversion.toChannels((ColorProcessor) pixels, ci);
        ImageProcessor[] originals = channelsOf(ci, r);
        for (int c = 0; c < channels.length; c++) keepWhereUnchanged(channels[c], originals[c], before, candidate);
        return channels;
    }

    /** A new image (one slice per result) in the type of {@code like} (RGB when null), parameters in slice labels. */
    public static ImagePlus newImage(String title, Result result, ImagePlus like) {
        ImagePlus out = new ImagePlus(title, ImageConversion.toStackLike(result.images(), labels(result, ""), like));
        if (like != null && !ImageConversion.isCompositeView(like)) out.setCalibration(like.getCalibration().copy());
        if (!result.infotexts().isEmpty()) Provenance.record(out, result.infotexts().get(0));
        SyntheticContent.markNewImage(out, result.infotexts(), SyntheticContent.WHOLE_IMAGE);
        return out;
    }

    /** One slice label per result image: "{@code prefix}seed N" then its parameters. */
    static List<String> labels(Result result, String prefix) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < result.images().size(); i++) {
            String info = i < result.infotexts().size() ? result.infotexts().get(i) : "";
            labels.add(Provenance.sliceLabel(prefix + "seed " + result.seeds().get(i), info));
        }
        return labels;
    }

    // -- helpers --

    /** Bounding box of pixels where {@code after} differs from {@code before}, joined with {@code extra}; null if none. */
    static Rectangle changedBounds(RgbImage before, RgbImage after, int[] extra) {
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        for (int y = 0; y < after.height(); y++)
            for (int x = 0; x < after.width(); x++)
                if (changed(before, after, x, y)) {
                    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
                }
        Rectangle r = x1 < 0 ? null : new Rectangle(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
        if (extra != null) {
            Rectangle e = new Rectangle(extra[0], extra[1], extra[2], extra[3]);
            r = r == null ? e : r.union(e);
        }
        return r;
    }

    private static boolean changed(RgbImage before, RgbImage after, int x, int y) {
        for (int c = 0; c < 3; c++)
            if (Math.abs(before.get(c, x, y) - after.get(c, x, y)) > UNCHANGED) return true;
        return false;
    }

    /**
     * {@code after} in the type of {@code imp}'s current plane for region {@code r}, with the exact original pixel
     * values wherever {@code after} equals {@code before} (the engine's view of the original).
     */
    private static ImageProcessor mergeUnchanged(ImagePlus imp, Rectangle r, RgbImage before, RgbImage after) {
        ImageProcessor out = ImageConversion.toProcessorLike(after, imp);
        if (ImageConversion.isCompositeView(imp)) return out; // channels are merged at apply time
        ImageProcessor plane = imp.getProcessor();
        plane.setRoi(r);
        ImageProcessor original = plane.crop();
        plane.resetRoi();
        keepWhereUnchanged(out, original, before, after);
        return out;
    }

    /** Puts {@code original}'s raw values into {@code out} wherever the engine left the pixel as it was. */
    static void keepWhereUnchanged(ImageProcessor out, ImageProcessor original, RgbImage before, RgbImage after) {
        for (int y = 0; y < out.getHeight(); y++)
            for (int x = 0; x < out.getWidth(); x++)
                if (!changed(before, after, x, y)) out.set(x, y, original.get(x, y));
    }

    private static ImageProcessor[] channelsOf(CompositeImage ci, Rectangle r) {
        ImageProcessor[] out = new ImageProcessor[ci.getNChannels()];
        for (int c = 1; c <= out.length; c++) {
            ImageProcessor ip = ci.getStack().getProcessor(ci.getStackIndex(c, ci.getZ(), ci.getT()));
            ip.setRoi(r);
            out[c - 1] = ip.crop();
            ip.resetRoi();
        }
        return out;
    }

    private static void placeOnCurrentPlane(Roi layer, ImagePlus imp) {
        if (imp.getStackSize() == 1) return;
        if (ImageConversion.isCompositeView(imp)) layer.setPosition(0, imp.getZ(), imp.getT());
        else if (imp.isHyperStack() || imp.isComposite()) layer.setPosition(imp.getC(), imp.getZ(), imp.getT());
        else layer.setPosition(imp.getCurrentSlice());
    }

    private static void moveToPlaneOf(Roi layer, ImagePlus imp) {
        if (imp.getStackSize() == 1) return;
        if (layer.hasHyperStackPosition()) {
            int c = layer.getCPosition() == 0 ? imp.getC() : layer.getCPosition();
            imp.setPositionWithoutUpdate(c, layer.getZPosition(), layer.getTPosition());
        } else if (layer.getPosition() > 0) imp.setSliceWithoutUpdate(layer.getPosition());
    }

    static String uniqueName(Overlay overlay, String name) {
        String candidate = name;
        for (int k = 2; overlay.getIndex(candidate) >= 0; k++) candidate = name + " #" + k;
        return candidate;
    }
}
