package org.diffusej.engine.text;

import org.diffusej.engine.InvalidRequestException;

/** A prompt whose emphasis syntax cannot be read, e.g. a weight like {@code (cat:1.2.3)}. */
public class PromptSyntaxException extends InvalidRequestException {
    public PromptSyntaxException(String message) {
        super(message);
    }
}
