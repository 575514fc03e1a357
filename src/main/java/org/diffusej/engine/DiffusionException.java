package org.diffusej.engine;

/**
 * A problem the user can fix (a bad file, a bad mask, a missing model): the message is written for that user
 * and is shown as is by every face (dialog, HTTP error, CLI message).
 */
public class DiffusionException extends Exception {
    public DiffusionException(String message) { super(message); }
    public DiffusionException(String message, Throwable cause) { super(message, cause); }
}
