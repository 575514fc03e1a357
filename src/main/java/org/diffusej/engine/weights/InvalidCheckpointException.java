package org.diffusej.engine.weights;

import org.diffusej.engine.DiffusionException;

/** A weights file or folder that is malformed or not a supported Stable Diffusion checkpoint. */
public class InvalidCheckpointException extends DiffusionException {
    public InvalidCheckpointException(String message) { super(message); }
    public InvalidCheckpointException(String message, Throwable cause) { super(message, cause); }
}
