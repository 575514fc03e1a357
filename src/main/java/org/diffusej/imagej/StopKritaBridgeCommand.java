package org.diffusej.imagej;

import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Stops the Krita bridge started from Fiji; the model stays loaded. */
@Plugin(type = Command.class, menuPath = "Plugins>DiffuseJ>Stop Krita Bridge")
public class StopKritaBridgeCommand extends DiffuseJCommand {

    @Parameter
    private KritaBridgeService bridge;

    @Override
    protected void execute() {
        boolean wasRunning = bridge.url() != null;
        bridge.stop();
        log.info(wasRunning ? "DiffuseJ: Krita bridge stopped." : "DiffuseJ: the Krita bridge was not running.");
    }
}
