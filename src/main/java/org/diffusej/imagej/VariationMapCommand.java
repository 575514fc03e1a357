package org.diffusej.imagej;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.DiffusionException;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Where the model is unsure: the per-pixel standard deviation and mean across generated samples, as two new
 * 32-bit images ({@link VariationMap}). Samples are the candidate layers on the image's current plane (each as if
 * applied), or the frames of a stack such as an Augment… result (slices when it has one frame).
 * Macro: {@code run("Variation Map...", "source=[Candidate layers]");}.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Variation Map...", weight = MenuOrder.VARIATION)})
public class VariationMapCommand extends DiffuseJCommand {
    public static final String AUTOMATIC = "Automatic", LAYERS = "Candidate layers", STACK = "Stack frames (Augment variants)";

    // Not required: Fiji fills it from the active image; when there is none the command says so itself.
    @Parameter(required = false)
    private ImagePlus imp;

    @Parameter(label = "Samples", choices = {AUTOMATIC, LAYERS, STACK},
            description = "Automatic: the candidate layers if the image has any, else the stack's frames (or slices).")
    private String source = AUTOMATIC;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus sd;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus mean;

    @Override
    protected void execute() throws DiffusionException {
        ImagePlus image = requireImage(imp);
        boolean layers = LAYERS.equals(source) || (AUTOMATIC.equals(source) && !CandidateLayers.names(image).isEmpty());
        VariationMap.Maps maps = layers ? fromLayers(image) : fromStack(image);
        sd = maps.sd();
        mean = maps.mean();
        report("DiffuseJ variation map of " + image.getTitle() + ": " + sd.getStackSize() + " SD plane(s)");
    }

    private static VariationMap.Maps fromLayers(ImagePlus image) throws DiffusionException {
        List<ImageProcessor[]> samples = new ArrayList<>();
        Overlay overlay = image.getOverlay();
        if (overlay != null)
            for (Roi roi : overlay.toArray())
                if (roi instanceof ImageRoi layer && layer.getProperty(CandidateLayers.MARK) != null
                        && CandidateLayers.onCurrentPlane(layer, image)) samples.add(CandidateLayers.planesWith(image, layer));
        int channels = ImageConversion.isCompositeView(image) ? image.getNChannels() : 1;
        return VariationMap.compute(samples, channels, image, "candidate layers on the current plane");
    }

    private static VariationMap.Maps fromStack(ImagePlus image) throws DiffusionException {
        int[] d = image.getDimensions(); // w, h, C, Z, T
        boolean frames = d[4] > 1;
        int samples = frames ? d[4] : d[3], slices = frames ? d[3] : 1;
        List<ImageProcessor[]> out = new ArrayList<>();
        for (int k = 1; k <= samples; k++) {
            ImageProcessor[] planes = new ImageProcessor[d[2] * slices];
            for (int z = 1; z <= slices; z++)
                for (int c = 1; c <= d[2]; c++)
                    planes[(z - 1) * d[2] + c - 1] = image.getStack().getProcessor(
                            frames ? image.getStackIndex(c, z, k) : image.getStackIndex(c, k, 1));
            out.add(planes);
        }
        return VariationMap.compute(out, d[2], image, frames ? "frames" : "slices");
    }
}
