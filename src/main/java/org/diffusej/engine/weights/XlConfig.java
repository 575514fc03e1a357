package org.diffusej.engine.weights;

import com.google.gson.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The facts of an SDXL diffusers folder that tensor shapes do not show, beyond {@link DiffusersConfig}: the second
 * text encoder's heads and activation ({@code text_encoder_2/config.json}) and whether an empty negative prompt
 * becomes zeros ({@code model_index.json} {@code force_zeros_for_empty_prompt}, true when absent as in diffusers).
 *
 * @param text2Heads                attention heads of the second text encoder
 * @param text2HiddenAct            its activation ("gelu" for OpenCLIP bigG)
 * @param forceZerosForEmptyPrompt  an empty negative prompt gives zero context and pooled embeddings
 */
public record XlConfig(int text2Heads, String text2HiddenAct, boolean forceZerosForEmptyPrompt) {
    /** The real SDXL base: bigG has 20 heads of 64 channels, exact gelu, zeros for an empty negative prompt. */
    public static XlConfig sdxl() {
        return new XlConfig(0, "gelu", true);
    }

    /** Reads {@code text_encoder_2/config.json} and {@code model_index.json} of an SDXL folder. */
    public static XlConfig read(Path folder) throws InvalidCheckpointException {
        JsonObject text = DiffusersConfig.json(folder.resolve("text_encoder_2/config.json"));
        Path index = folder.resolve("model_index.json");
        JsonObject model = Files.isRegularFile(index) ? DiffusersConfig.json(index) : new JsonObject();
        try {
            return new XlConfig(text.has("num_attention_heads") ? text.get("num_attention_heads").getAsInt() : 0,
                    text.has("hidden_act") ? text.get("hidden_act").getAsString() : "gelu",
                    !model.has("force_zeros_for_empty_prompt") || model.get("force_zeros_for_empty_prompt").getAsBoolean());
        } catch (RuntimeException e) {
            throw new InvalidCheckpointException("The configuration files of the SDXL folder " + folder
                    + " are not understood: " + e.getMessage(), e);
        }
    }
}
