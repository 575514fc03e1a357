package org.diffusej.engine.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The facts of a diffusers folder's {@code config.json} files that tensor shapes do not show: group-norm groups,
 * attention heads, projection kind, VAE scaling factor, text-encoder activation. Also used as the config of a
 * single file (like diffusers' {@code from_single_file(config=folder)}).
 *
 * @param folder             the diffusers folder
 * @param unetInChannels     4, or 9 for inpainting
 * @param unetNormGroups     UNet {@code norm_num_groups}
 * @param unetHeads          heads per down level (diffusers' {@code num_attention_heads}, or its legacy
 *                           {@code attention_head_dim}, which also means heads), one value per level
 * @param blockOutChannels   UNet channels per level
 * @param linearProjection   {@code use_linear_projection}
 * @param crossAttentionDim  width of the text states
 * @param vaeNormGroups      VAE {@code norm_num_groups}
 * @param vaeScalingFactor   latent scaling factor (0.18215 in SD)
 * @param textHiddenAct      "quick_gelu" (CLIP, SD1) or "gelu" (OpenCLIP, SD2)
 * @param textLayers         text encoder layers in the folder (SD2 folders hold the penultimate stack only)
 * @param textHeads          text encoder attention heads
 * @param textLayerNormEps   text encoder layer-norm epsilon
 */
public record DiffusersConfig(Path folder, int unetInChannels, int unetNormGroups, int[] unetHeads, int[] blockOutChannels,
                              boolean linearProjection, int crossAttentionDim, int vaeNormGroups, double vaeScalingFactor,
                              String textHiddenAct, int textLayers, int textHeads, double textLayerNormEps) {

    /** Reads {@code unet/}, {@code vae/} and {@code text_encoder/config.json} of {@code folder}. */
    public static DiffusersConfig read(Path folder) throws InvalidCheckpointException {
        JsonObject unet = json(folder.resolve("unet/config.json"));
        JsonObject vae = json(folder.resolve("vae/config.json"));
        JsonObject text = json(folder.resolve("text_encoder/config.json"));
        try {
            int[] channels = ints(unet.get("block_out_channels"), 0);
            JsonElement heads = present(unet, "num_attention_heads") ? unet.get("num_attention_heads") : unet.get("attention_head_dim");
            return new DiffusersConfig(folder,
                    intOr(unet, "in_channels", 4), intOr(unet, "norm_num_groups", 32), ints(heads, channels.length), channels,
                    present(unet, "use_linear_projection") && unet.get("use_linear_projection").getAsBoolean(),
                    intOr(unet, "cross_attention_dim", 768),
                    intOr(vae, "norm_num_groups", 32),
                    present(vae, "scaling_factor") ? vae.get("scaling_factor").getAsDouble() : 0.18215,
                    present(text, "hidden_act") ? text.get("hidden_act").getAsString() : "quick_gelu",
                    intOr(text, "num_hidden_layers", 12), intOr(text, "num_attention_heads", 12),
                    present(text, "layer_norm_eps") ? text.get("layer_norm_eps").getAsDouble() : 1e-5);
        } catch (RuntimeException e) {
            throw new InvalidCheckpointException("The configuration files of the diffusers folder " + folder
                    + " are not those of a Stable Diffusion 1.x/2.x model: " + e.getMessage(), e);
        }
    }

    /** Channels per attention head at down level {@code level}. */
    public int unetHeadChannels(int level) {
        return blockOutChannels[level] / unetHeads[Math.min(level, unetHeads.length - 1)];
    }

    static JsonObject json(Path file) throws InvalidCheckpointException {
        if (!Files.isRegularFile(file))
            throw new InvalidCheckpointException("The diffusers folder has no " + file.getParent().getFileName() + "/"
                    + file.getFileName() + " (" + file + ").");
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new InvalidCheckpointException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean present(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

    private static int intOr(JsonObject o, String key, int fallback) {
        return present(o, key) ? o.get(key).getAsInt() : fallback;
    }

    /** An int list, or one int repeated {@code n} times. */
    private static int[] ints(JsonElement e, int n) {
        if (e == null || e.isJsonNull()) throw new IllegalArgumentException("a required value is missing");
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
            return out;
        }
        int[] out = new int[Math.max(n, 1)];
        java.util.Arrays.fill(out, e.getAsInt());
        return out;
    }
}
