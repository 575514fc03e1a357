package org.diffusej.engine;

/** The job was cancelled through its {@link CancellationToken}. */
public class CancelledException extends DiffusionException {
    public CancelledException() { super("Cancelled."); }
}
