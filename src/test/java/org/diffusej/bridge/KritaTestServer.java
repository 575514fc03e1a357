package org.diffusej.bridge;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.pipeline.StableDiffusionModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Starts a bridge for the Krita plugin's end-to-end tests (krita-bridge/run-tests.sh) and writes its URL to a file.
 * Arguments: {@code PORT_FILE test [STEP_MILLIS]} (the slow test engine: flat colours from the seed, exact pixels to
 * check) or {@code PORT_FILE model PATH} (the real pipeline on a checkpoint, e.g. a tiny fixture). Runs until killed.
 */
public final class KritaTestServer {
    private KritaTestServer() { }

    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[0]);
        String kind = args.length > 1 ? args[1] : "test";
        DiffusionEngine engine = kind.equals("model")
                ? new Pipeline(StableDiffusionModel.load(Path.of(args[2]), ModelOptions.cpu()))
                : new SlowTestEngine("tiny", args.length > 2 ? Long.parseLong(args[2]) : 5);
        BridgeServer server = BridgeServer.builder(ModelProvider.owned(engine)).port(0).closeModelsOnStop(true).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, server.url());
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }
}
