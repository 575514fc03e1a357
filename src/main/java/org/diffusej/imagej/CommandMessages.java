package org.diffusej.imagej;

import ij.IJ;
import org.scijava.log.LogService;
import org.scijava.ui.DialogPrompt.MessageType;
import org.scijava.ui.UIService;

/**
 * How a DiffuseJ command speaks to the user. Problems: a dialog in Fiji, a warning line headless (and the
 * module's cancel reason). Routine news: the status bar, kept there after SciJava's "Command finished" by
 * {@link LastingStatus}, and the log at debug level only, so that it never pops up Fiji's Console.
 */
record CommandMessages(LogService log, UIService ui, LastingStatus lastingStatus, String commandTitle) {

    /** Shows {@code message} as a problem that ended the command. */
    void refuse(String message) {
        IJ.showStatus(message);
        if (ui != null && !ui.isHeadless()) ui.showDialog(message, "DiffuseJ", MessageType.WARNING_MESSAGE);
        else log.warn(message);
    }

    /** Shows routine news ({@code "DiffuseJ: loaded sd15 [hash]"}) in the status bar, where it stays. */
    void report(String message) {
        IJ.showStatus(message);
        log.debug(message);
        if (lastingStatus != null) lastingStatus.keep(commandTitle, message);
    }
}
