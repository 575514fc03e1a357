package org.diffusej.imagej;

import ij.ImagePlus;
import java.awt.Rectangle;
import java.util.Locale;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Repaints the active image's selection from a prompt; candidates come back as layers (or a new image). A composite
 * with more than 3 channels is inpainted channel by channel at the slice and frame shown, into a new image
 * ({@link PlaneByPlane}).
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Inpaint Selection...", weight = MenuOrder.INPAINT)})
public class InpaintSelectionCommand extends GenerationCommand {

    public static final String WHOLE_PICTURE = "Whole picture", ONLY_MASKED = "Only masked";
    public static final String LAYERS = "Layers", NEW_IMAGE = "New image";

    // Not required: Fiji fills it from the active image; when there is none the command says so itself.
    @Parameter(required = false)
    private ImagePlus imp;

    @Parameter(label = "Candidates", min = "1", max = "16")
    private int candidates = 4;

    @Parameter(label = "Denoising strength", min = "0", max = "1", stepSize = "0.05", style = "slider")
    private double strength = 0.75;

    @Parameter(label = "Mask blur (pixels)", min = "0", max = "64")
    private int blur = 4;

    @Parameter(label = "Inpaint area", choices = {WHOLE_PICTURE, ONLY_MASKED})
    private String area = WHOLE_PICTURE;

    @Parameter(label = "Only-masked padding (pixels)", min = "0", max = "256")
    private int padding = 32;

    @Parameter(label = "Masked content", choices = {"fill", "original", "latent noise", "latent nothing"})
    private String fill = "original";

    @Parameter(label = "Output", choices = {LAYERS, NEW_IMAGE})
    private String output = LAYERS;

    // Says what happens to a composite with more than 3 channels (shown in the dialog; not a macro key).
    @Parameter(visibility = ItemVisibility.MESSAGE, required = false, persist = false, initializer = "describePlanes")
    private String planesNote = "";

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus result;

    @Override
    protected void execute() throws DiffusionException {
        ImagePlus image = requireImage(imp);
        int w = image.getWidth(), h = image.getHeight();
        Mask mask = ImageConversion.toMask(image.getRoi(), w, h);
        ImageConversion.checkSize(w, h, "The image");
        if (PlaneByPlane.required(image)) { // > 3 channels: each channel of the plane shown on its own, as a new image
            Request.Builder template = request(Mode.INPAINT).mask(mask).strength(strength).maskBlur(blur)
                    .onlyMasked(ONLY_MASKED.equals(area)).onlyMaskedPadding(padding).maskedContent(maskedContent(fill));
            result = PlaneByPlane.run(image, new Rectangle(0, 0, w, h), template, candidates, seed, this::generate, "inpainted", true);
            return;
        }
        RgbImage input = ImageConversion.toRgb(image);
        Request r = request(Mode.INPAINT).initImage(input).mask(mask).strength(strength).maskBlur(blur)
                .onlyMasked(ONLY_MASKED.equals(area)).onlyMaskedPadding(padding).maskedContent(maskedContent(fill))
                .batchCount(candidates).build();
        Result res = generate(r, "inpaint");
        if (NEW_IMAGE.equals(output)) result = CandidateLayers.newImage(image.getTitle() + " inpainted", res, image);
        else CandidateLayers.add(image, res, input, new Rectangle(0, 0, w, h), mask, "inpaint");
    }

    /** Fills the dialog's note for composites with more than 3 channels. */
    protected void describePlanes() {
        planesNote = PlaneByPlane.required(imp) ? "\"" + imp.getTitle() + "\" has " + imp.getNChannels() + " channels: each channel of "
                + "the slice and frame shown is inpainted on its own (grey, normalised to the channel's min..max) into a new image "
                + "of the same shape, bit depth and calibration." : "";
    }

    /** A1111's masked-content names ("fill", "original", "latent noise", "latent nothing"). */
    static MaskedContent maskedContent(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fill" -> MaskedContent.FILL;
            case "latent noise" -> MaskedContent.LATENT_NOISE;
            case "latent nothing" -> MaskedContent.LATENT_NOTHING;
            default -> MaskedContent.ORIGINAL;
        };
    }
}
