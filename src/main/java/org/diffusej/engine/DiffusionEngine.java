package org.diffusej.engine;

/**
 * The one door every face (ImageJ commands, HTTP bridge, CLI) uses: a loaded model that turns {@link Request}s into
 * {@link Result}s. Implementations are not required to run two generations at once; callers serialise.
 */
public interface DiffusionEngine extends AutoCloseable {

    /** Runs one request; progress goes to {@code listener}; {@code token} stops it within a step. */
    Result generate(Request request, ProgressListener listener, CancellationToken token) throws DiffusionException;

    /** The model this engine runs. */
    ModelInfo model();

    @Override
    void close();
}
