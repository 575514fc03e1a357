package org.diffusej.imagej;

import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Stops the Krita bridge started from Fiji; the model stays loaded. */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Stop Krita Bridge", weight = MenuOrder.KRITA_STOP)})
public class StopKritaBridgeCommand extends DiffuseJCommand {

    @Parameter
    private KritaBridgeService bridge;

    @Override
    protected void execute() {
        boolean wasRunning = bridge.url() != null;
        bridge.stop();
        report(wasRunning ? "DiffuseJ: Krita bridge stopped." : "DiffuseJ: the Krita bridge was not running.");
    }
}
