package org.diffusej.imagej;

import org.diffusej.engine.DiffusionException;

/** The image or selection given to a DiffuseJ command cannot be used as is; the message says what to do instead. */
public class UnsuitableImageException extends DiffusionException {
    public UnsuitableImageException(String message) { super(message); }
}
