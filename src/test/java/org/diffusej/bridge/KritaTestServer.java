package org.diffusej.bridge;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts a bridge for the Krita plugin's end-to-end tests (krita-bridge/run-tests.sh) and writes its URL to a file.
 * Arguments: {@code PORT_FILE [STEP_MILLIS]}. Runs until killed.
 */
public final class KritaTestServer {
    private KritaTestServer() { }

    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[0]);
        long stepMillis = args.length > 1 ? Long.parseLong(args[1]) : 5;
        SlowTestEngine engine = new SlowTestEngine("tiny", stepMillis);
        BridgeServer server = BridgeServer.builder(ModelProvider.shared(engine)).port(0).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, server.url());
        Files.move(tmp, portFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }
}
