package org.diffusej.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.util.List;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mask;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Outpainting: a new, larger image whose added borders are generated to continue the current plane. The border
 * starts as the image's edge pixels stretched outwards; pixels the engine leaves alone keep their exact values.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Extend Canvas...", weight = MenuOrder.EXTEND)})
public class ExtendCanvasCommand extends GenerationCommand {

    // Not required: Fiji fills it from the active image; when there is none the command says so itself.
    @Parameter(required = false)
    private ImagePlus imp;

    @Parameter(label = "Left (pixels)", min = "0", max = "1024")
    private int left = 64;

    @Parameter(label = "Right (pixels)", min = "0", max = "1024")
    private int right = 64;

    @Parameter(label = "Top (pixels)", min = "0", max = "1024")
    private int top = 64;

    @Parameter(label = "Bottom (pixels)", min = "0", max = "1024")
    private int bottom = 64;

    @Parameter(label = "Candidates", min = "1", max = "16")
    private int candidates = 1;

    @Parameter(label = "Denoising strength", min = "0", max = "1", stepSize = "0.05", style = "slider")
    private double strength = 1.0;

    @Parameter(label = "Mask blur (pixels)", min = "0", max = "64")
    private int blur = 8;

    @Parameter(label = "Masked content", choices = {"fill", "original", "latent noise", "latent nothing"})
    private String fill = "fill";

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus result;

    @Override
    protected void execute() throws DiffusionException {
        ImagePlus image = requireImage(imp);
        if (left < 0 || right < 0 || top < 0 || bottom < 0 || left + right + top + bottom == 0)
            throw new UnsuitableImageException("Give the number of pixels to add on at least one side (left, right, top, bottom).");
        int w = image.getWidth(), h = image.getHeight(), cw = w + left + right, ch = h + top + bottom;
        ImageConversion.checkSize(cw, ch, "The extended image");
        ImageProcessor plane = ImageConversion.isCompositeView(image)
                ? ImageConversion.toColorProcessor(ImageConversion.toRgb(image)) : image.getProcessor();
        ImageProcessor canvasPixels = stretchEdges(plane, cw, ch);
        RgbImage canvas = ImageConversion.toRgb(canvasPixels, new Rectangle(0, 0, cw, ch));
        Mask mask = Mask.filled(cw, ch, 1f);
        for (int y = top; y < top + h; y++)
            for (int x = left; x < left + w; x++) mask.set(x, y, 0f);
        Result res = generate(request(Mode.INPAINT).initImage(canvas).mask(mask).strength(strength).maskBlur(blur)
                .maskedContent(InpaintSelectionCommand.maskedContent(fill)).batchCount(candidates).build(), "extend canvas");
        List<String> labels = CandidateLayers.labels(res, "");
        ImageStack stack = new ImageStack(cw, ch);
        for (int i = 0; i < res.images().size(); i++) {
            ImageProcessor out = ImageConversion.toProcessorLike(res.images().get(i), canvasPixels);
            CandidateLayers.keepWhereUnchanged(out, canvasPixels, canvas, res.images().get(i));
            stack.addSlice(labels.get(i), out);
        }
        result = new ImagePlus(image.getTitle() + " extended", stack);
        result.setCalibration(image.getCalibration().copy());
        if (!res.infotexts().isEmpty()) Provenance.record(result, res.infotexts().get(0));
        SyntheticContent.markNewImage(result, res.infotexts(),
                "border beyond the original " + w + "x" + h + " at (" + left + "," + top + ")");
    }

    /** {@code plane} placed at (left, top) on a {@code cw × ch} canvas, border pixels repeating its nearest edge pixel. */
    private ImageProcessor stretchEdges(ImageProcessor plane, int cw, int ch) {
        ImageProcessor canvas = plane.createProcessor(cw, ch);
        int w = plane.getWidth(), h = plane.getHeight();
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++)
                canvas.set(x, y, plane.get(Math.max(0, Math.min(w - 1, x - left)), Math.max(0, Math.min(h - 1, y - top))));
        if (!(plane instanceof ColorProcessor)) { // setMinAndMax would rewrite RGB pixels
            canvas.setLut(plane.getLut());
            canvas.setMinAndMax(plane.getMin(), plane.getMax());
        }
        return canvas;
    }
}
