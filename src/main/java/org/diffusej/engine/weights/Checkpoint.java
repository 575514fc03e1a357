package org.diffusej.engine.weights;

import java.nio.file.Path;

/**
 * A recognised Stable Diffusion 1.x/2.x/XL checkpoint, open: its weights under internal names and what it is.
 *
 * @param location          the file or folder the user gave
 * @param folder            true for a diffusers folder, false for an LDM single file
 * @param family            SD1, SD2 or SDXL
 * @param unetInChannels    4, or 9 for an inpainting UNet
 * @param weights           tensors by internal name
 * @param hashFile          the file whose SHA-256 gives the model hash (the single file, or the folder's UNet file)
 * @param config            the folder's configuration, or null for a single file
 * @param declaresVPrediction what the file itself says about its prediction type (safetensors metadata
 *                          {@code modelspec.prediction_type} or a {@code v_pred} marker tensor), or null if nothing
 */
public record Checkpoint(Path location, boolean folder, ModelFamily family, int unetInChannels, WeightSource weights,
                         Path hashFile, DiffusersConfig config, Boolean declaresVPrediction) implements AutoCloseable {

    public boolean inpainting() { return unetInChannels == 9; }

    @Override
    public void close() { weights.close(); }
}
