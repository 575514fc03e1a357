package org.diffusej.imagej;

import ij.ImagePlus;
import ij.gui.Roi;
import java.awt.Rectangle;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * img2img over the whole image or the selection's bounds; candidates come back as layers (or a new image). Stacks
 * and hyperstacks can go plane by plane ({@link PlaneByPlane}); composites with more than 3 channels always do.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Restyle Image...", weight = MenuOrder.RESTYLE)})
public class RestyleImageCommand extends GenerationCommand {

    public static final String SELECTION_BOUNDS = "Selection bounds", WHOLE_IMAGE = "Whole image";
    public static final String CURRENT_PLANE = "Current plane", EVERY_PLANE = "Every plane (channel by channel)";

    // Not required: Fiji fills it from the active image; when there is none the command says so itself.
    @Parameter(required = false)
    private ImagePlus imp;

    @Parameter(label = "Candidates", min = "1", max = "16")
    private int candidates = 2;

    @Parameter(label = "Denoising strength", min = "0", max = "1", stepSize = "0.05", style = "slider")
    private double strength = 0.5;

    @Parameter(label = "Area", choices = {SELECTION_BOUNDS, WHOLE_IMAGE})
    private String area = SELECTION_BOUNDS;

    @Parameter(label = "Output", choices = {InpaintSelectionCommand.LAYERS, InpaintSelectionCommand.NEW_IMAGE})
    private String output = InpaintSelectionCommand.LAYERS;

    @Parameter(label = "Planes", choices = {CURRENT_PLANE, EVERY_PLANE})
    private String planes = CURRENT_PLANE;

    // What will happen with this image's channels, slices and frames (shown in the dialog; not a macro key).
    @Parameter(visibility = ItemVisibility.MESSAGE, required = false, persist = false, initializer = "describePlanes")
    private String planesNote = "";

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus result;

    @Override
    protected void execute() throws DiffusionException {
        ImagePlus image = requireImage(imp);
        Rectangle region = region(image);
        ImageConversion.checkSize(region.width, region.height, region.width == image.getWidth() && region.height == image.getHeight()
                ? "The image" : "The selection's bounding box");
        if (EVERY_PLANE.equals(planes) || PlaneByPlane.required(image)) {
            result = PlaneByPlane.run(image, region, request(Mode.IMG2IMG).strength(strength), candidates, seed,
                    this::generate, "restyled");
            return;
        }
        RgbImage input = ImageConversion.toRgb(image, region);
        Result res = generate(request(Mode.IMG2IMG).initImage(input).strength(strength).batchCount(candidates).build(), "restyle");
        if (InpaintSelectionCommand.NEW_IMAGE.equals(output))
            result = CandidateLayers.newImage(image.getTitle() + " restyled", res, image);
        else CandidateLayers.add(image, res, input, region, null, "restyle");
    }

    /** Fills the dialog's note on how the image's planes are handled. */
    protected void describePlanes() {
        planesNote = imp == null || imp.getStackSize() == 1 ? "" : "Planes: \"" + CURRENT_PLANE + "\" restyles the plane shown "
                + "(composites as displayed). " + PlaneByPlane.describe(imp, candidates);
    }

    private Rectangle region(ImagePlus image) throws UnsuitableImageException {
        Rectangle all = new Rectangle(0, 0, image.getWidth(), image.getHeight());
        Roi roi = image.getRoi();
        if (!SELECTION_BOUNDS.equals(area) || roi == null || !roi.isArea()) return all;
        Rectangle r = roi.getBounds().intersection(all);
        if (r.isEmpty()) throw new UnsuitableImageException("The selection lies outside the image.");
        return r;
    }
}
