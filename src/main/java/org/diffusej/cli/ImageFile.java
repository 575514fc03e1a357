package org.diffusej.cli;

import org.diffusej.engine.RgbImage;

import java.util.Map;

/**
 * An image read from disk, with what is needed to write a result back the same way.
 *
 * @param rgb      the pixels as the engine takes them (grey images are repeated into R, G and B)
 * @param bitDepth 8 or 16 bits per sample
 * @param grey     true for single-channel images
 * @param format   {@code png}, {@code tif} or another ImageIO format name
 * @param text     PNG text chunks (keyword to text), empty for other formats
 */
public record ImageFile(RgbImage rgb, int bitDepth, boolean grey, String format, Map<String, String> text) {
    public ImageFile {
        text = Map.copyOf(text);
    }

    /** The A1111 infotext stored in the file, or null. */
    public String parameters() { return text.get(PngText.PARAMETERS); }
}
