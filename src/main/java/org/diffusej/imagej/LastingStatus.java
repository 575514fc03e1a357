package org.diffusej.imagej;

import ij.IJ;
import java.awt.GraphicsEnvironment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.swing.Timer;
import org.scijava.app.event.StatusEvent;
import org.scijava.event.EventHandler;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.SciJavaService;
import org.scijava.service.Service;

/**
 * Keeps a command's closing status line ("DiffuseJ inpaint: 4 image(s) in 12.3 s") in the status bar: SciJava's
 * module runner shows "Command finished: <title>" after every command, which would replace it at once. When that
 * line for a command with a kept message goes by, the message is shown again, a moment later (on the AWT thread, after
 * the status bar has drawn the runner's line).
 */
@Plugin(type = Service.class)
public class LastingStatus extends AbstractService implements SciJavaService {

    /** What SciJava's ModuleRunner shows after a command, followed by the command's title. */
    static final String FINISHED = "Command finished: ";
    private static final int DELAY_MS = 150;

    private final Map<String, String> kept = new ConcurrentHashMap<>();
    private volatile Consumer<String> show = LastingStatus::showSoon;

    /** Shows {@code message} again when the runner reports the command titled {@code commandTitle} finished. */
    public void keep(String commandTitle, String message) {
        kept.put(commandTitle, message);
    }

    /** Replaces where kept messages go (tests); by default ImageJ's status bar. */
    void showWith(Consumer<String> sink) {
        show = sink;
    }

    @EventHandler
    protected void onEvent(StatusEvent e) {
        String line = e.getStatusMessage();
        if (line == null || !line.startsWith(FINISHED)) return;
        String message = kept.remove(line.substring(FINISHED.length()));
        if (message != null) show.accept(message);
    }

    private static void showSoon(String message) {
        if (GraphicsEnvironment.isHeadless()) return; // no status bar to restore
        Timer t = new Timer(DELAY_MS, a -> IJ.showStatus(message));
        t.setRepeats(false);
        t.start();
    }
}
