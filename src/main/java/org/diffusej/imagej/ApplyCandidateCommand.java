package org.diffusej.imagej;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import java.util.ArrayList;
import java.util.List;
import org.diffusej.engine.DiffusionException;
import org.scijava.command.Command;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.module.MutableModuleItem;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.ui.UIService;

/**
 * Writes one candidate layer into the image's pixels as a single undoable step (Edit › Undo reverts the pixels and
 * the recorded parameters). The dialog lists the image's candidate layers; macros pass {@code layer=[name]}.
 * A {@link DynamicCommand} (for the list), so scripts run it with
 * {@code moduleService.run(commandService.getCommand(ApplyCandidateCommand.class), true, ...)}: SciJava's
 * {@code commandService.run} returns no future for such commands.
 */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Apply Candidate", weight = MenuOrder.APPLY)})
public class ApplyCandidateCommand extends DynamicCommand {

    /** The choice that means the most recently added candidate (as does an empty {@code layer}). */
    public static final String NEWEST = "Newest candidate";

    @Parameter
    private LogService log;

    @Parameter(required = false)
    private UIService ui;

    @Parameter(required = false)
    private LastingStatus lastingStatus;

    // Not required: Fiji fills it from the active image; when there is none the command says so itself.
    @Parameter(required = false)
    private ImagePlus imp;

    @Parameter(label = "Layer", required = false, initializer = "listLayers", persist = false)
    private String layer = NEWEST;

    /** Offers the image's candidate layers, newest first. */
    protected void listLayers() {
        ImagePlus image = imp != null ? imp : WindowManager.getCurrentImage();
        List<String> choices = new ArrayList<>(List.of(NEWEST));
        if (image != null) choices.addAll(CandidateLayers.names(image));
        MutableModuleItem<String> item = getInfo().getMutableInput("layer", String.class);
        item.setChoices(choices);
    }

    @Override
    public void run() {
        CommandMessages messages = new CommandMessages(log, ui, lastingStatus, getInfo().getTitle());
        try {
            ImagePlus image = DiffuseJCommand.requireImage(imp);
            ImageRoi candidate = CandidateLayers.find(image, layer == null || NEWEST.equals(layer) ? "" : layer);
            CandidateLayers.apply(image, candidate);
            messages.report("DiffuseJ: applied " + candidate.getName() + " to " + image.getTitle() + " (Edit › Undo reverts it).");
        } catch (DiffusionException e) {
            cancel(e.getMessage());
            messages.refuse(e.getMessage());
        }
    }
}
