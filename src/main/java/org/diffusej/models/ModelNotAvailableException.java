package org.diffusej.models;

import org.diffusej.engine.DiffusionException;

/** A model cannot be had: unknown id, missing file, offline and not cached, or not on the server. */
public class ModelNotAvailableException extends DiffusionException {
    public ModelNotAvailableException(String message) { super(message); }
    public ModelNotAvailableException(String message, Throwable cause) { super(message, cause); }
}
