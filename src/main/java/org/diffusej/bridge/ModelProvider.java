package org.diffusej.bridge;

import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;

import java.util.List;

/**
 * The models the bridge can run and the one it runs now; A1111's {@code sd_model_checkpoint} option switches
 * between them. The bridge calls {@link #select} only while no generation runs.
 */
public interface ModelProvider extends AutoCloseable {

    /** What a client may select (A1111 {@code /sdapi/v1/sd-models}). */
    List<SdModelEntry> checkpoints();

    /** The engine of the selected model. */
    DiffusionEngine engine();

    /** Makes {@code name} (title, model name or file name) the selected model, loading it if needed. */
    void select(String name) throws DiffusionException;

    /** The checkpoint selected now, loaded or not (A1111's {@code sd_model_checkpoint}). */
    default SdModelEntry selected() { return SdModelEntry.of(engine().model()); }

    /** What the loaded model is, without loading one; null when nothing is loaded (after {@link #unload}). */
    default org.diffusej.engine.ModelInfo loadedModel() { return engine().model(); }

    /**
     * A1111's {@code unload-checkpoint}: frees the selected model's memory; the next generation (or {@link #reload})
     * loads it again. False when this provider does not own its model and leaves it loaded.
     */
    default boolean unload() { return false; }

    /** A1111's {@code reload-checkpoint}: loads the selected model again if it was unloaded. */
    default void reload() throws DiffusionException { }

    /** Releases what this provider loaded itself; an engine handed in from outside stays open. */
    @Override
    void close();

    /** One engine owned by someone else (Fiji's loaded model): listed, never closed, switching refused. */
    static ModelProvider shared(DiffusionEngine engine) {
        return new ModelProvider() {
            @Override public List<SdModelEntry> checkpoints() { return List.of(SdModelEntry.of(engine.model())); }
            @Override public DiffusionEngine engine() { return engine; }
            @Override public void select(String name) throws DiffusionException {
                if (!SdModelEntry.of(engine.model()).matches(name))
                    throw new UnknownModelException("Model '" + OriginPolicy.quote(String.valueOf(name)) + "' is not available: this server runs only '"
                            + SdModelEntry.of(engine.model()).title() + "' (load another model where the server was started).");
            }
            @Override public void close() { }
        };
    }

    /** One engine the server owns (the CLI's {@code serve --model}): like {@link #shared}, but closed with the provider. */
    static ModelProvider owned(DiffusionEngine engine) {
        ModelProvider shared = shared(engine);
        return new ModelProvider() {
            @Override public List<SdModelEntry> checkpoints() { return shared.checkpoints(); }
            @Override public DiffusionEngine engine() { return engine; }
            @Override public void select(String name) throws DiffusionException { shared.select(name); }
            @Override public void close() { engine.close(); }
        };
    }

    /** The requested model is not one this provider offers. */
    class UnknownModelException extends DiffusionException {
        public UnknownModelException(String message) { super(message); }
    }
}
