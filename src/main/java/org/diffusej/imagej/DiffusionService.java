package org.diffusej.imagej;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.scijava.service.SciJavaService;

/**
 * Owns the one loaded diffusion engine of a SciJava context: every DiffuseJ command (and the Krita bridge when
 * started from Fiji) shares it. The model loads on first use and stays loaded until {@link #unload()} or until
 * other {@link #settings()} are chosen; generations run one at a time.
 */
public interface DiffusionService extends SciJavaService {

    /** The model, device and precision the engine is (or will be) loaded with. */
    EngineSettings settings();

    /** Chooses what to load; unloads the current engine if the settings differ. Remembered across sessions. */
    void configure(EngineSettings settings);

    /** Replaces how engines are opened (tests, other back ends); unloads the current engine. */
    void setEngineFactory(EngineFactory factory);

    /** True when a model is loaded. */
    boolean isLoaded();

    /** The loaded model, loading it first if needed. */
    ModelInfo model() throws DiffusionException;

    /** Runs one request on the shared engine, after any running one; loads the model first if needed. */
    Result generate(Request request, ProgressListener listener, CancellationToken token) throws DiffusionException;

    /** Asks the running generation (if any) to stop after its current step. */
    void cancelRunning();

    /** Frees the loaded model (memory, GPU). The next generation loads it again. */
    void unload();

    /**
     * The shared engine as a {@link DiffusionEngine} for other faces (the HTTP bridge): calls go through
     * {@link #generate}, and its {@code close()} leaves the model loaded (this service owns it).
     */
    DiffusionEngine sharedEngine();
}
