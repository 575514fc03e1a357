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

    @Parameter(label = "Width", min = "8", max = "2048", stepSize = "8")
    private int width = 512;

    @Parameter(label = "Height", min = "8", max = "2048", stepSize = "8")
    private int height = 512;

    @Parameter(label = "Candidates", min = "1", max = "16")
    private int candidates = 1;

    @Parameter(label = "Hires upscale (1 = off)", min = "1", max = "4", stepSize = "0.25", required = false)
    private double hiresScale = 1;

    @Parameter(label = "Hires denoising strength", min = "0", max = "1", stepSize = "0.05", required = false)
    private double hiresStrength = 0.5;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus result;

    @Override
    protected void execute() throws DiffusionException {
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
