package org.diffusej.models;

import org.diffusej.engine.DiffusionException;

/** A download failed in a way the user can act on (access refused, server errors, disk full, bad checksum). */
public class ModelDownloadException extends DiffusionException {
    public ModelDownloadException(String message) { super(message); }
    public ModelDownloadException(String message, Throwable cause) { super(message, cause); }
}
