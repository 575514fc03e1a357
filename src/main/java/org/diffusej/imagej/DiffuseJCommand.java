package org.diffusej.imagej;

import ij.ImagePlus;
import org.diffusej.engine.CancelledException;
import org.diffusej.engine.DiffusionException;
import org.scijava.command.CommandService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.ui.UIService;

/**
 * Base of the DiffuseJ commands: a problem the user can fix ends the command with a message, never with a stack
 * trace; routine news goes to the status bar and stays there ({@link CommandMessages}).
 */
public abstract class DiffuseJCommand extends ContextCommand {

    @Parameter
    protected LogService log;

    @Parameter(required = false)
    protected UIService ui;

    @Parameter(required = false)
    private LastingStatus lastingStatus;

    @Parameter(required = false)
    private CommandService commands;

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
        messages().refuse(message);
    }

    /** Routine news: the status bar (where it stays after the command ends) and the debug log. */
    protected void report(String message) {
        messages().report(message);
    }

    private CommandMessages messages() {
        String title = commands == null ? getClass().getSimpleName() : commands.getCommand(getClass()).getTitle();
        return new CommandMessages(log, ui, lastingStatus, title);
    }

    /** {@code imp}, or a message that an image is needed. */
    protected static ImagePlus requireImage(ImagePlus imp) throws UnsuitableImageException {
        if (imp == null) throw new UnsuitableImageException("There is no image. Open an image first.");
        return imp;
    }
}
