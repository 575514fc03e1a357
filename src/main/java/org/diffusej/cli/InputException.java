package org.diffusej.cli;

import org.diffusej.engine.DiffusionException;

/** A file the user named cannot be used: unreadable image, mismatched mask, an output that already exists. */
public class InputException extends DiffusionException {
    public InputException(String message) { super(message); }
    public InputException(String message, Throwable cause) { super(message, cause); }
}
