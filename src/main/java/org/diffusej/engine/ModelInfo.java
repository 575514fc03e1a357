package org.diffusej.engine;

import org.diffusej.engine.runtime.PrecisionChoice;

/**
 * What a loaded model is, for provenance and for the model pickers.
 *
 * @param name            file or folder name without extension (A1111 "Model")
 * @param location        where it was loaded from
 * @param shortHash       first 10 hex of the file's SHA-256 (A1111 "Model hash"); for folders the hash of the UNet file
 * @param family          "SD1" or "SD2"
 * @param inpainting      true for 9-channel inpainting UNets
 * @param vPrediction     true when the model predicts v instead of epsilon
 * @param precision       how its compute precision was chosen; null where unknown (engines that are not a
 *                        loaded {@link StableDiffusionModel})
 */
public record ModelInfo(String name, String location, String shortHash, String family, boolean inpainting,
                        boolean vPrediction, PrecisionChoice precision) {
    /** Without a precision choice. */
    public ModelInfo(String name, String location, String shortHash, String family, boolean inpainting,
                     boolean vPrediction) {
        this(name, location, shortHash, family, inpainting, vPrediction, null);
    }

    /** A1111's model title: {@code name [hash]}. */
    public String title() {
        return shortHash == null || shortHash.isEmpty() ? name : name + " [" + shortHash + "]";
    }
}
