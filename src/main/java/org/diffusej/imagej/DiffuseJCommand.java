package org.diffusej.imagej;

import ij.IJ;
import ij.ImagePlus;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.ui.DialogPrompt.MessageType;
import org.scijava.ui.UIService;

/**
 * Base of the DiffuseJ commands: a problem the user can fix ends the command with a message (a dialog in
 * Fiji, a warning line headless, and the module's cancel reason for scripts), never with a stack trace.
 */
public abstract class DiffuseJCommand extends ContextCommand {

    @Parameter
    protected LogService log;

    @Parameter(required = false)
    protected UIService ui;

    @Override
    public final void run() {
        try {
            execute();
        } catch (CancelledException e) {
            refuse("DiffuseJ: cancelled; the image was not changed.");
        } catch (DiffusionException e) {
            refuse(e.getMessage());
        }
    }

    /** The command's work; throw a {@link DiffusionException} with a message for the user to stop. */
    protected abstract void execute() throws DiffusionException;

    /** Ends the command with {@code message} shown to the user. */
    protected void refuse(String message) {
        cancel(message);
        IJ.showStatus(message);
        if (ui != null && !ui.isHeadless()) ui.showDialog(message, "DiffuseJ", MessageType.WARNING_MESSAGE);
        else log.warn(message);
    }

    /** {@code imp}, or a message that an image is needed. */
    protected static ImagePlus requireImage(ImagePlus imp) throws UnsuitableImageException {
        if (imp == null) throw new UnsuitableImageException("There is no image. Open an image first.");
        return imp;
    }
}
