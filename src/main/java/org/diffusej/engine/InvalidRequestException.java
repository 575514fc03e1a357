package org.diffusej.engine;

/** A request that cannot be run as given (mask size mismatch, size too large, unknown sampler...). */
public class InvalidRequestException extends DiffusionException {
    public InvalidRequestException(String message) { super(message); }
    public InvalidRequestException(String message, Throwable cause) { super(message, cause); }
}
