package org.diffusej.imagej;

import java.io.IOException;
import org.diffusej.bridge.BridgeServer;
import org.diffusej.bridge.ModelProvider;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.SciJavaService;
import org.scijava.service.Service;

/**
 * Runs the Krita bridge ({@link BridgeServer}) inside Fiji on the model Fiji has loaded: the server shares the
 * {@link DiffusionService}'s engine (never closes it), so Krita and the Fiji commands use one model in memory.
 */
@Plugin(type = Service.class)
public class KritaBridgeService extends AbstractService implements SciJavaService {

    @Parameter
    private DiffusionService diffusion;

    private BridgeServer server;

    /** Starts the bridge on 127.0.0.1:{@code port} (0 = any free port); returns its URL. Restarts a running one. */
    public synchronized String start(int port, String userColonPassword) throws IOException {
        return start(port, userColonPassword, null);
    }

    /**
     * Like {@link #start(int, String)}, also letting the web pages {@code corsOrigins} (comma list of origins such as
     * {@code http://localhost:3000}; null or blank: none) call the bridge from a browser.
     */
    public synchronized String start(int port, String userColonPassword, String corsOrigins) throws IOException {
        stop();
        BridgeServer.Builder b = BridgeServer.builder(ModelProvider.shared(diffusion.sharedEngine())).port(port)
                .corsAllowOrigins(corsOrigins).loras(() -> diffusion.settings().loraLibrary());
        if (userColonPassword != null && !userColonPassword.isBlank()) b.auth(userColonPassword);
        server = b.build().start();
        return server.url();
    }

    /** Stops the bridge if it runs (the model stays loaded). */
    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    /** The URL of the running bridge, or null. */
    public synchronized String url() {
        return server != null && server.isRunning() ? server.url() : null;
    }

    @Override
    public void dispose() {
        stop();
    }
}
