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

    /**
     * Which VAE the selected model decodes with (A1111's {@code sd_vae}).
     *
     * @param file      a VAE file in place of the model's own, or null
     * @param modelsOwn with a null file: the model's own VAE ("None") rather than the start-up one ("Automatic")
     */
    record VaeChoice(java.nio.file.Path file, boolean modelsOwn) {
        /** The server's start-up VAE: {@code serve --vae} if given, else the model's own. */
        public static final VaeChoice AUTOMATIC = new VaeChoice(null, false);
        /** The model's own VAE. */
        public static final VaeChoice NONE = new VaeChoice(null, true);
    }

    /** The VAE chosen now. */
    default VaeChoice vae() { return VaeChoice.AUTOMATIC; }

    /**
     * Makes the selected model decode with {@code choice}, loading the model again if needed; a failed load keeps
     * the previous model and VAE serving. Providers that cannot switch accept only {@link VaeChoice#AUTOMATIC}.
     */
    default void selectVae(VaeChoice choice) throws DiffusionException {
        if (!VaeChoice.AUTOMATIC.equals(choice))
            throw new VaeSwitchUnsupportedException("This server cannot switch the VAE of its model (it is loaded where "
                    + "the server was started); sd_vae can only be \"Automatic\".");
    }

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

    /** This provider keeps the VAE its model was loaded with. */
    class VaeSwitchUnsupportedException extends DiffusionException {
        public VaeSwitchUnsupportedException(String message) { super(message); }
    }

    /** The requested model is not one this provider offers. */
    class UnknownModelException extends DiffusionException {
        public UnknownModelException(String message) { super(message); }
    }
}
