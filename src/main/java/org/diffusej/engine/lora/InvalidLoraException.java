package org.diffusej.engine.lora;

import org.diffusej.engine.InvalidRequestException;

/** A LoRA that cannot be used with the loaded model (unknown keys, another architecture, a pickle file, not found). */
public class InvalidLoraException extends InvalidRequestException {
    public InvalidLoraException(String message) { super(message); }
    /** A LoRA that could not be read: {@code cause} is the I/O or file-format failure. */
    public InvalidLoraException(String message, Throwable cause) { super(message, cause); }
}
