package org.diffusej.bridge;

import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.pipeline.Pipeline;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.pipeline.StableDiffusionModel;
import org.diffusej.engine.vae.Taesd;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Starts a bridge for the Krita plugin's end-to-end tests (krita-bridge/run-tests.sh) and writes its URL to a file.
 * Arguments: {@code PORT_FILE test [STEP_MILLIS]} (the slow test engine: flat colours from the seed, exact pixels to
 * check) or {@code PORT_FILE model PATH [TAESD_DIR LORA_DIR]} (the real pipeline on a checkpoint, e.g. a tiny fixture;
 * with TAESD previews in the job events and a LoRA folder, as {@code diffusej serve --taesd --loras} does). Runs until
 * killed.
 */
public final class KritaTestServer {
    private KritaTestServer() { }

    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[0]);
        String kind = args.length > 1 ? args[1] : "test";
        LoraLibrary loras = args.length > 4 ? LoraLibrary.of(List.of(Path.of(args[4]))) : LoraLibrary.empty();
        DiffusionEngine engine = kind.equals("model") ? pipeline(Path.of(args[2]), args.length > 3 ? Path.of(args[3]) : null, loras)
                : new FakeEngine(Picture.FLAT, "tiny").stepMillis(args.length > 2 ? Long.parseLong(args[2]) : 5);
        BridgeServer server = BridgeServer.builder(ModelProvider.owned(engine)).port(0).closeModelsOnStop(true)
                .loras(() -> loras).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, server.url());
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    private static Pipeline pipeline(Path model, Path taesd, LoraLibrary loras) throws Exception {
        StableDiffusionModel loaded = StableDiffusionModel.load(model, ModelOptions.cpu());
        loaded.loras().setLibrary(loras);
        Pipeline pipeline = new Pipeline(loaded);
        if (taesd != null) {
            try (TaesdWeightSource w = TaesdWeightSource.open(taesd)) {
                pipeline.useTaesd(Taesd.load(w, loaded.manager(), DataType.FLOAT32), false);
            }
        }
        return pipeline;
    }
}
