package org.diffusej.imagej;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import org.diffusej.engine.DiffusionException;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Writes one candidate layer into the image's pixels as a single undoable step (Edit › Undo reverts it). */
@Plugin(type = Command.class, menuPath = "Plugins>DiffuseJ>Apply Candidate")
public class ApplyCandidateCommand extends DiffuseJCommand {

    // Not required: Fiji fills it from the active image; when there is none the command says so itself.
    @Parameter(required = false)
    private ImagePlus imp;

    @Parameter(label = "Layer name (empty = newest candidate)", required = false)
    private String layer = "";

    @Override
    protected void execute() throws DiffusionException {
        ImagePlus image = requireImage(imp);
        ImageRoi candidate = CandidateLayers.find(image, layer);
        CandidateLayers.apply(image, candidate);
        log.info("DiffuseJ: applied " + candidate.getName() + " to " + image.getTitle() + " (Edit › Undo reverts it).");
    }
}
