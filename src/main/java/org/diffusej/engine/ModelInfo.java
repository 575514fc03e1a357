package org.diffusej.engine;

/**
 * What a loaded model is, for provenance and for the model pickers.
 *
 * @param name            file or folder name without extension (A1111 "Model")
 * @param location        where it was loaded from
 * @param shortHash       first 10 hex of the file's SHA-256 (A1111 "Model hash"); for folders the hash of the UNet file
 * @param family          "SD1" or "SD2"
 * @param inpainting      true for 9-channel inpainting UNets
 * @param vPrediction     true when the model predicts v instead of epsilon
 */
public record ModelInfo(String name, String location, String shortHash, String family, boolean inpainting,
                        boolean vPrediction) {
    /** A1111's model title: {@code name [hash]}. */
    public String title() {
        return shortHash == null || shortHash.isEmpty() ? name : name + " [" + shortHash + "]";
    }
}
