package org.diffusej.engine.weights;

import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens a user-given checkpoint path and says what it is: an LDM single {@code .safetensors} file or a diffusers
 * folder of Stable Diffusion 1.x, 2.x or XL (4- or 9-channel UNet) is opened; anything else is refused with a message
 * naming what the file appears to be (SDXL refiner, SD3/Flux, LoRA, VAE only, text encoder only, pickle, unknown) and
 * what is supported. Pickled checkpoints ({@code .ckpt .pt .pth .bin}, or zip/pickle content) are recognised by name and
 * magic bytes only, never unpickled. Extra tensors real files carry (DDPM buffers, {@code model_ema.*},
 * {@code position_ids}) are accepted and ignored.
 */
public final class CheckpointRecognizer {
    static final String SUPPORTED = "DiffuseJ runs Stable Diffusion 1.x, 2.x and XL base models and their fine-tunes "
            + "(also their 9-channel inpainting, SD-Turbo and LCM-distilled versions) as a single .safetensors file or "
            + "as a diffusers folder.";
    private static final String UNET_IN = "model.diffusion_model.input_blocks.0.0.weight";
    private static final String SD1_TEXT = "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight";
    /** SD1 files written before transformers 4.x nested CLIP under {@code text_model.}. */
    private static final String OLD_SD1_PREFIX = "cond_stage_model.transformer.";
    private static final String OLD_SD1_TEXT = OLD_SD1_PREFIX + "embeddings.token_embedding.weight";
    private static final String SD2_TEXT = "cond_stage_model.model.token_embedding.weight";
    /** SDXL: CLIP ViT-L in HF naming (embedder 0) and OpenCLIP ViT-bigG (embedder 1), as Stability's sgm files store them. */
    private static final String XL_TEXT1 = "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight";
    private static final String XL_TEXT2 = "conditioner.embedders.1.model.token_embedding.weight";
    private static final String XL_LABEL_EMB = "model.diffusion_model.label_emb.0.0.weight";
    private static final Set<String> PICKLE_EXTENSIONS = Set.of("ckpt", "pt", "pth", "bin", "pkl", "pickle");

    private CheckpointRecognizer() { }

    /** Recognises and opens {@code path} (a file or a diffusers folder). */
    public static Checkpoint open(Path path) throws InvalidCheckpointException {
        if (Files.isDirectory(path)) return openFolder(path);
        if (!Files.isRegularFile(path))
            throw new InvalidCheckpointException("There is no model file or folder at " + path + ".");
        refusePickle(path);
        SafetensorsFile file = SafetensorsFile.open(path);
        try {
            return recognizeSingleFile(path, file);
        } catch (InvalidCheckpointException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static void refusePickle(Path path) throws InvalidCheckpointException {
        String name = path.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        boolean pickle = PICKLE_EXTENSIONS.contains(ext);
        if (!pickle) {
            byte[] head = new byte[4];
            int n;
            try (InputStream in = Files.newInputStream(path)) {
                n = in.readNBytes(head, 0, 4);
            } catch (IOException e) {
                throw new InvalidCheckpointException("Cannot read " + path + ": " + e.getMessage(), e);
            }
            boolean zip = n == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
            boolean rawPickle = n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5;
            pickle = zip || rawPickle;
        }
        if (pickle)
            throw new InvalidCheckpointException(path.getFileName() + " appears to be a PyTorch pickle checkpoint "
                    + "(.ckpt/.pt/.bin). Pickle files can run arbitrary code when loaded, so DiffuseJ never opens them. "
                    + "Use the .safetensors version of the model (most models are published as one) or its diffusers "
                    + "folder. " + SUPPORTED);
    }

    static Checkpoint recognizeSingleFile(Path path, SafetensorsFile file) throws InvalidCheckpointException {
        Set<String> names = file.names();
        String what = refusalFor(names);
        if (what != null)
            throw new InvalidCheckpointException(path.getFileName() + " appears to be " + what + ", not a complete "
                    + "Stable Diffusion checkpoint. " + SUPPORTED);
        long[] in = file.info(UNET_IN).shape();
        int inChannels = in.length == 4 ? (int) in[1] : -1;
        if (inChannels != 4 && inChannels != 9)
            throw new InvalidCheckpointException(path.getFileName() + " has a UNet with " + inChannels
                    + " input channels (8: InstructPix2Pix, 5: depth-to-image, 7: upscaler), a kind of model DiffuseJ "
                    + "does not run. " + SUPPORTED);
        if (!names.contains("first_stage_model.decoder.conv_in.weight"))
            throw new InvalidCheckpointException(path.getFileName() + " has a UNet but no VAE (first_stage_model.*). "
                    + SUPPORTED);
        WeightSource weights = new SafetensorsWeightSource(file);
        if (!names.contains(SD1_TEXT) && names.contains(OLD_SD1_TEXT)) {
            weights = new RenamedWeightSource(weights, Map.of(OLD_SD1_PREFIX, OLD_SD1_PREFIX + "text_model."));
            names = weights.names();
        }
        ModelFamily family;
        if (names.contains(SD1_TEXT)) family = ModelFamily.SD1;
        else if (names.contains(SD2_TEXT)) family = ModelFamily.SD2;
        else if (names.contains(XL_TEXT1) && names.contains(XL_TEXT2) && names.contains(XL_LABEL_EMB)) family = ModelFamily.SDXL;
        else throw new InvalidCheckpointException(path.getFileName() + " has a UNet and a VAE but no text encoder "
                    + "this program knows (neither CLIP 'cond_stage_model.transformer.text_model.*' of SD1 nor OpenCLIP "
                    + "'cond_stage_model.model.*' of SD2, nor SDXL's 'conditioner.embedders.0/1' pair with 'label_emb'). " + SUPPORTED);
        // OpenCLIP text encoders are renamed to CLIP naming here, once (SD2 runs all resblocks but the last)
        if (family == ModelFamily.SD2) weights = new OpenClipNames(weights, "cond_stage_model.", true);
        if (family == ModelFamily.SDXL) weights = new OpenClipNames(weights, "conditioner.embedders.1.", false);
        return new Checkpoint(path, false, family, inChannels, weights, path, null,
                declaredVPrediction(file));
    }

    /** What a single file without a usable SD1/SD2 layout appears to be, or null when it looks complete. */
    static String refusalFor(Set<String> names) {
        boolean unet = names.contains(UNET_IN);
        boolean anyUnet = false, ldmVae = false, bareVae = false, text = false, diffusersUnet = false;
        for (String n : names) {
            if (n.startsWith("conditioner.embedders.0.model."))
                return "a Stable Diffusion XL refiner (its only text encoder is OpenCLIP bigG, "
                        + "'conditioner.embedders.0.model.*', and its UNet takes an aesthetic score); use an SDXL base "
                        + "model or a fine-tune of it";
            if (n.startsWith("lora_unet_") || n.startsWith("lora_te") || n.contains(".lora_up.") || n.contains(".lora_down.")
                    || n.contains(".lora_A.") || n.contains(".lora_B."))
                return "a LoRA (a set of low-rank weight changes applied on top of a base model, not a model itself)";
            if (n.startsWith("model.diffusion_model.joint_blocks.") || n.startsWith("double_blocks.")
                    || n.startsWith("model.diffusion_model.double_blocks."))
                return "a Stable Diffusion 3 or Flux checkpoint";
            anyUnet |= n.startsWith("model.diffusion_model.");
            ldmVae |= n.startsWith("first_stage_model.");
            bareVae |= n.startsWith("encoder.down.") || n.startsWith("decoder.up.") || n.startsWith("encoder.down_blocks.")
                    || n.startsWith("decoder.up_blocks.");
            text |= n.startsWith("cond_stage_model.") || n.startsWith("text_model.") || n.startsWith("transformer.resblocks.");
            diffusersUnet |= n.startsWith("down_blocks.") || n.startsWith("mid_block.");
        }
        if (unet) return null;
        if (anyUnet) return "a model with an unknown UNet layout (no 'model.diffusion_model.input_blocks.0.0.weight')";
        if ((ldmVae || bareVae) && !text) return "a VAE on its own";
        if (text && !ldmVae && !bareVae) return "a text encoder on its own";
        if (diffusersUnet) return "a single diffusers component file (UNet); open the whole diffusers folder instead";
        return "an unknown kind of model (none of the tensor names of a Stable Diffusion UNet, VAE or text encoder)";
    }

    private static Boolean declaredVPrediction(SafetensorsFile file) {
        if (file.contains("v_pred")) return Boolean.TRUE;
        Map<String, String> meta = file.metadata();
        String p = meta.get("modelspec.prediction_type");
        if (p == null) return null;
        p = p.toLowerCase(Locale.ROOT);
        if (p.startsWith("v")) return Boolean.TRUE;
        if (p.startsWith("eps")) return Boolean.FALSE;
        return null;
    }

    private static boolean isTrue(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() && o.get(key).getAsBoolean();
    }

    private static Checkpoint openFolder(Path folder) throws InvalidCheckpointException {
        Path index = folder.resolve("model_index.json");
        if (!Files.isRegularFile(index))
            throw new InvalidCheckpointException("The folder " + folder + " is not a diffusers model folder (it has no "
                    + "model_index.json). " + SUPPORTED);
        JsonObject model = DiffusersConfig.json(index);
        String pipeline = model.has("_class_name") ? model.get("_class_name").getAsString() : "?";
        boolean xl = pipeline.contains("XL");
        if (xl && (isTrue(model, "requires_aesthetics_score") || !Files.isDirectory(folder.resolve("text_encoder"))))
            throw new InvalidCheckpointException("The diffusers folder " + folder + " holds a Stable Diffusion XL refiner ("
                    + pipeline + " with an aesthetic-score UNet and no CLIP ViT-L text encoder); use an SDXL base model "
                    + "or a fine-tune of it. " + SUPPORTED);
        if (xl && !Files.isDirectory(folder.resolve("text_encoder_2")))
            throw new InvalidCheckpointException("The diffusers folder " + folder + " holds a Stable Diffusion XL model ("
                    + pipeline + ") without its second text encoder (text_encoder_2/). " + SUPPORTED);
        boolean lcm = pipeline.startsWith("LatentConsistencyModel");   // an SD1/SD2 UNet with a guidance embedding
        if (!(pipeline.startsWith("StableDiffusion") || lcm) || pipeline.contains("Upscale") || pipeline.contains("Depth")
                || pipeline.contains("3") || pipeline.contains("Instruct"))
            throw new InvalidCheckpointException("The diffusers folder " + folder + " holds a " + pipeline
                    + " model, which DiffuseJ does not run. " + SUPPORTED);
        DiffusersConfig config = DiffusersConfig.read(folder);
        if (config.unetInChannels() != 4 && config.unetInChannels() != 9)
            throw new InvalidCheckpointException("The diffusers folder " + folder + " has a UNet with "
                    + config.unetInChannels() + " input channels, a kind of model DiffuseJ does not run. " + SUPPORTED);
        ModelFamily family = xl ? ModelFamily.SDXL
                : config.textHiddenAct().equals("gelu") ? ModelFamily.SD2 : ModelFamily.SD1;
        DiffusersFolderWeightSource weights = DiffusersFolderWeightSource.open(folder);
        return new Checkpoint(folder, true, family, config.unetInChannels(), weights,
                DiffusersFolderWeightSource.unetFile(folder), config, null);
    }
}
