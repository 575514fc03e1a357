package org.diffusej.engine;

/** What a {@link Request} asks for. */
public enum Mode {
    /** A new image from a prompt. */
    TXT2IMG,
    /** Re-noise an init image by {@code strength} and denoise it towards the prompt. */
    IMG2IMG,
    /** Repaint the masked part of an init image. */
    INPAINT
}
