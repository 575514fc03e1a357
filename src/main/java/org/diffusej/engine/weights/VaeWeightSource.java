package org.diffusej.engine.weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VAE on its own, used in place of a model's VAE (A1111's "SD VAE", diffusers' {@code vae=}; e.g. the SDXL fp16-fix
 * VAE), under the internal names {@code first_stage_model.*}. Accepted: a single {@code .safetensors} file in the
 * original naming ({@code encoder.down.0.block.0.*}, as Stability's {@code sdxl_vae.safetensors}) or in diffusers
 * naming ({@code encoder.down_blocks.0.resnets.0.*}); a diffusers {@code AutoencoderKL} folder ({@code config.json} +
 * {@code diffusion_pytorch_model.safetensors}), or a model folder's {@code vae/}.
 */
public final class VaeWeightSource extends RenamedTensors {
    private static final String PREFIX = "first_stage_model.";
    private static final String[] FOLDER_FILES = {"diffusion_pytorch_model.safetensors",
            "diffusion_pytorch_model.fp16.safetensors"};

    private final Path location;
    private final Path file;

    private VaeWeightSource(Path location, Path file, SafetensorsFile f, Map<String, RenamedTensors.Entry> entries) {
        super(location, List.of(f), entries);
        this.location = location;
        this.file = file;
    }

    /** The weights file read (a folder's {@code diffusion_pytorch_model.safetensors}, or the file given). */
    public Path file() { return file; }

    @Override
    String missing(String name) {
        return "The VAE " + location + " has no tensor '" + name + "' (not the architecture of this model's VAE).";
    }

    /** Opens a VAE file or folder (see the class comment); anything else is refused with what was expected. */
    public static VaeWeightSource open(Path fileOrFolder) throws InvalidCheckpointException {
        Path file = fileOrFolder;
        if (Files.isDirectory(fileOrFolder)) {
            Path folder = Files.isDirectory(fileOrFolder.resolve("vae")) ? fileOrFolder.resolve("vae") : fileOrFolder;
            file = null;
            for (String name : FOLDER_FILES) if (Files.isRegularFile(folder.resolve(name))) { file = folder.resolve(name); break; }
            if (file == null)
                throw new InvalidCheckpointException("The folder " + fileOrFolder + " holds no VAE: expected a diffusers "
                        + "AutoencoderKL folder (config.json + diffusion_pytorch_model.safetensors) or a vae/ folder.");
        } else if (!Files.isRegularFile(fileOrFolder)) {
            throw new InvalidCheckpointException("The VAE " + fileOrFolder + " does not exist.");
        }
        SafetensorsFile f = SafetensorsFile.open(file);
        try {
            Map<String, RenamedTensors.Entry> entries = f.contains("encoder.conv_in.weight") || f.contains("decoder.conv_in.weight")
                    ? (f.names().stream().anyMatch(n -> n.contains(".down_blocks.") || n.contains(".up_blocks."))
                    ? diffusers(f) : original(f))
                    : Map.of();
            if (!entries.containsKey(PREFIX + "decoder.conv_in.weight") || !entries.containsKey(PREFIX + "post_quant_conv.weight"))
                throw new InvalidCheckpointException(file.getFileName() + " is not a VAE (no decoder.conv_in / "
                        + "post_quant_conv tensors" + (f.contains(PREFIX + "decoder.conv_in.weight")
                        ? "; it looks like a whole checkpoint: pass the VAE file on its own" : "") + ").");
            return new VaeWeightSource(fileOrFolder, file, f, entries);
        } catch (InvalidCheckpointException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Original (LDM) naming: the names under {@code first_stage_model.}. */
    private static Map<String, RenamedTensors.Entry> original(SafetensorsFile f) {
        Map<String, RenamedTensors.Entry> entries = new LinkedHashMap<>();
        for (String key : f.names())
            if (key.startsWith("encoder.") || key.startsWith("decoder.") || key.startsWith("quant_conv.")
                    || key.startsWith("post_quant_conv."))
                entries.put(PREFIX + key, entry(f, key, PREFIX + key));
        return entries;
    }

    /** Diffusers naming, through the folder key mapping as if the file were a model folder's {@code vae/}. */
    private static Map<String, RenamedTensors.Entry> diffusers(SafetensorsFile f) {
        KeyMapping mapping = new KeyMapping(f.names().stream().map(n -> "vae/" + n).toList());
        Map<String, RenamedTensors.Entry> entries = new LinkedHashMap<>();
        for (String key : f.names()) {
            String internal = mapping.internalName("vae/" + key);
            if (internal != null) entries.put(internal, entry(f, key, internal));
        }
        return entries;
    }

    /** The attention projections are 1×1 convolutions inside; diffusers (and some files) store them as [C, C]. */
    private static RenamedTensors.Entry entry(SafetensorsFile f, String key, String internal) {
        long[] shape = f.info(key).shape();
        if (internal.contains(".mid.attn_1.") && internal.endsWith(".weight") && shape.length == 2 && !internal.contains(".norm."))
            shape = new long[] {shape[0], shape[1], 1, 1};
        return new RenamedTensors.Entry(f, key, shape);
    }
}
