package org.diffusej;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.unet.UNetConfig;
import org.diffusej.engine.weights.DiffusersConfig;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the reference fixtures are: system property {@code fixtures.dir}, else the copy in test resources. */
public final class Fixtures {
    private Fixtures() { }

    public static Path root() {
        String p = System.getProperty("fixtures.dir");
        Path root = p != null && !p.isBlank() ? Paths.get(p) : Paths.get("src/test/resources/fixtures");
        if (!Files.isDirectory(root)) throw new IllegalStateException("fixtures not found at " + root.toAbsolutePath());
        return root;
    }

    public static Path variant(String name) { return root().resolve(name); }

    /** The LDM single-file checkpoint of a variant, e.g. {@code sd1-tiny/sd1-tiny.safetensors}. */
    public static Path singleFile(String variant) { return variant(variant).resolve(variant + ".safetensors"); }

    public static Path diffusersDir(String variant) { return variant(variant).resolve("diffusers"); }

    public static Path reference(String variant, String file) { return variant(variant).resolve("reference").resolve(file); }

    /** A file of the LoRA fixture set ({@code lora/}: LoRAs for sd1-tiny, {@code reference/} merged outputs). */
    public static Path lora(String file) { return root().resolve("lora").resolve(file); }

    public static Path input(String file) { return root().resolve("inputs").resolve(file); }

    /** A JSON file of the fixture set, e.g. {@code json(reference("sd1-tiny", "pipelines/pipelines.json"))}. */
    public static JsonObject json(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A variant's {@code variant.json} (facts of that variant: prompts, timesteps, scaling factor, ...). */
    public static JsonObject variantFacts(String variant) { return json(variant(variant).resolve("variant.json")); }

    /**
     * The diffusers config of a variant ({@code diffusers/unet|vae|text_encoder/config.json}), or null where the set
     * ships no diffusers folder for it (sd15-shape).
     */
    public static DiffusersConfig diffusersConfig(String variant) throws InvalidCheckpointException {
        Path dir = configDir(variant);
        return Files.isRegularFile(dir.resolve("unet").resolve("config.json")) ? DiffusersConfig.read(dir) : null;
    }

    /**
     * The diffusers folder whose configs describe a variant: its own, except for sdxl-inpaint-tiny, whose pruned folder
     * holds only the UNet and scheduler (fixtures ORIGIN.md): its single file loads with sdxl-tiny's folder as config
     * (same heads, groups, text encoders and VAE).
     */
    public static Path configDir(String variant) {
        return diffusersDir(variant.equals("sdxl-inpaint-tiny") ? "sdxl-tiny" : variant);
    }

    /**
     * sd15-shape ships without its diffusers folder; its config (fixtures README, "Variants"): UNet and VAE
     * norm_num_groups 32, UNet attention_head_dim 4 (= 4 heads), text encoder 4 heads.
     */
    private static final int SD15_SHAPE_GROUPS = 32;
    private static final int SD15_SHAPE_HEADS = 4;

    /**
     * The UNet config of a variant's single file: detected from shapes, plus what LDM files do not record (norm groups
     * and heads) from the variant's diffusers config, as {@code from_single_file(config=folder)} does.
     */
    public static UNetConfig unetConfig(String variant, WeightSource w) throws Exception {
        DiffusersConfig cfg = diffusersConfig(variant);
        if (cfg != null) return UNetConfig.detect(w, cfg.unetNormGroups()).withHeadsOf(cfg);
        requireSd15Shape(variant);
        return UNetConfig.detect(w, SD15_SHAPE_GROUPS).withHeads(SD15_SHAPE_HEADS);
    }

    /**
     * Options that load a variant's single file with the facts the file does not record: its diffusers folder as the
     * config ({@code from_single_file(config=folder)}), or, for sd15-shape, its heads.
     */
    public static ModelOptions singleFileOptions(String variant) throws Exception {
        if (diffusersConfig(variant) != null) return ModelOptions.cpu().withConfig(configDir(variant));
        requireSd15Shape(variant);
        return ModelOptions.cpu().withUNetHeads(SD15_SHAPE_HEADS).withTextHeads(SD15_SHAPE_HEADS);
    }

    /** VAE group-norm groups of a variant (diffusers {@code vae/config.json}). */
    public static int vaeGroups(String variant) throws Exception {
        DiffusersConfig cfg = diffusersConfig(variant);
        if (cfg != null) return cfg.vaeNormGroups();
        requireSd15Shape(variant);
        return SD15_SHAPE_GROUPS;
    }

    /** Text-encoder attention heads of a variant (diffusers {@code text_encoder/config.json}). */
    public static int textHeads(String variant) throws Exception {
        DiffusersConfig cfg = diffusersConfig(variant);
        if (cfg != null) return cfg.textHeads();
        requireSd15Shape(variant);
        return SD15_SHAPE_HEADS;
    }

    private static void requireSd15Shape(String variant) {
        if (!variant.equals("sd15-shape"))
            throw new IllegalArgumentException(variant + " has no diffusers config under " + diffusersDir(variant));
    }

    /** The prompts of a variant's text-encoder reference ({@code variant.json} text_encoder.prompts), in file order. */
    public static String[] textEncoderPrompts(String variant) {
        var prompts = variantFacts(variant).getAsJsonObject("text_encoder").getAsJsonArray("prompts");
        String[] out = new String[prompts.size()];
        for (int i = 0; i < out.length; i++) out[i] = prompts.get(i).getAsString();
        return out;
    }

    /** The call arguments diffusers recorded for a pipeline reference run ({@code pipelines.json}). */
    public static JsonObject pipelineRun(String variant, String run) {
        return json(reference(variant, "pipelines/pipelines.json")).getAsJsonObject(run + ".safetensors");
    }

    /** The facts {@code schedulers.json} records for a scheduler reference file (timesteps, init_noise_sigma, seed). */
    public static JsonObject schedulerRun(String variant, String file) {
        return json(reference(variant, "schedulers/schedulers.json")).getAsJsonObject(file);
    }

    /** SHA-256 as lower-case hex, computed here independently of the engine's hashing (for hash expectations). */
    public static String sha256Hex(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
