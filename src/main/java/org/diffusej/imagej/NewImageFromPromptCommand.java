package org.diffusej.imagej;

import ij.ImagePlus;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** txt2img into a new RGB image (a stack when several candidates are asked for), parameters in each slice label. */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "New Image from Prompt...", weight = MenuOrder.NEW_IMAGE)})
public class NewImageFromPromptCommand extends GenerationCommand {

    /** 0: the model's own size (1024 for SDXL, 768 for SD 2.x v-models, 512 for SD 1.x and the Turbo models). */
    @Parameter(label = "Width (0 = the model's size)", min = "0", max = "2048", stepSize = "8", initializer = "initSize")
    private int width = 0;

    @Parameter(label = "Height (0 = the model's size)", min = "0", max = "2048", stepSize = "8")
    private int height = 0;

    @Parameter(label = "Candidates", min = "1", max = "16")
    private int candidates = 1;

    @Parameter(label = "Hires upscale (1 = off)", min = "1", max = "4", stepSize = "0.25", required = false)
    private double hiresScale = 1;

    @Parameter(label = "Hires denoising strength", min = "0", max = "1", stepSize = "0.05", required = false)
    private double hiresStrength = 0.5;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus result;

    /** Shows the loaded model's size in the dialog (never loads a model just to show a dialog). */
    protected void initSize() {
        if (width != 0 || height != 0 || diffusion == null || !diffusion.isLoaded()) return;
        try {
            width = height = diffusion.model().defaultSize();
        } catch (DiffusionException e) {
            // left at 0: resolved when the command runs, where a loading problem is reported
        }
    }

    @Override
    protected void execute() throws DiffusionException {
        if (width == 0 || height == 0) {
            int side = diffusion.model().defaultSize();
            if (width == 0) width = side;
            if (height == 0) height = side;
        }
        ImageConversion.checkSize(width, height, "The requested image");
        Request.Hires hires = hiresScale > 1 ? new Request.Hires(hiresScale, Request.Hires.LATENT, 0, hiresStrength) : null;
        Result res = generate(request(Mode.TXT2IMG).size(width, height).batchCount(candidates).hires(hires).build(),
                "new image");
        result = CandidateLayers.newImage(title(), res, null);
    }

    private String title() {
        String p = prompt.isBlank() ? "DiffuseJ" : prompt.strip();
        return p.length() > 40 ? p.substring(0, 40) + "…" : p;
    }
}
