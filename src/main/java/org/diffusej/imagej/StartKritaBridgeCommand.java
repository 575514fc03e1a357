package org.diffusej.imagej;

import ij.IJ;
import java.io.IOException;
import org.diffusej.engine.DiffusionException;
import org.scijava.command.Command;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Starts the Krita bridge (HTTP on 127.0.0.1) on Fiji's loaded model; the Krita DiffuseJ docker connects to it. */
@Plugin(type = Command.class, menu = {@Menu(label = MenuOrder.PLUGINS), @Menu(label = MenuOrder.DIFFUSEJ),
        @Menu(label = "Start Krita Bridge...", weight = MenuOrder.KRITA_START)})
public class StartKritaBridgeCommand extends DiffuseJCommand {

    @Parameter
    private KritaBridgeService bridge;

    @Parameter(label = "Port (0 = any free port)", min = "0", max = "65535")
    private int port = 7860;

    @Parameter(label = "Access (user:password, optional)", required = false, persist = false)
    private String auth = "";

    @Parameter(label = "Allowed web pages (CORS origins, comma-separated, optional)", required = false, persist = false,
            description = "By default no web page may call the bridge; e.g. http://localhost:3000 allows that one.")
    private String cors = "";

    @Override
    protected void execute() throws DiffusionException {
        try {
            String url = bridge.start(port, auth, cors);
            IJ.log("DiffuseJ: Krita bridge listening on " + url); // the address Krita needs, kept in the Log window
            report("DiffuseJ: Krita bridge listening on " + url + " (Plugins › DiffuseJ › Stop Krita Bridge stops it).");
        } catch (IllegalArgumentException e) {
            throw new DiffusionException("The Krita bridge was not started: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DiffusionException("The Krita bridge could not start on port " + port + " (" + e.getMessage()
                    + "). Is another server using it? Choose another port.", e);
        }
    }
}
