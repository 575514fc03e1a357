package org.diffusej.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

import java.nio.file.Path;

/**
 * How {@link org.diffusej.engine.pipeline.StableDiffusionModel#load} builds a model: device and precision, and the facts a single file cannot
 * carry (LDM files store no group-norm groups, no attention heads and no prediction type). Every override is null
 * when unset; unset facts come from the diffusers folder, then from {@link #config()}, then from the family defaults.
 *
 * @param device           where the networks run
 * @param precision        FLOAT32; FLOAT16 (GPU; the VAE runs in FLOAT32); or BFLOAT16 (CPU: convolutions and
 *                         linear layers in bfloat16, the rest float32; for CPUs with native bf16 where bf16
 *                         passes its self-test, see {@code engine.pipeline.PrecisionResolver})
 * @param predictionType   epsilon or v; null = the model's own (folder scheduler config, file metadata) or the
 *                         family rule (SD1 epsilon, SD2 single file v)
 * @param normGroups       group-norm groups of UNet and VAE (real models: 32)
 * @param config           a diffusers folder whose configs (and tokenizer, scheduler) describe a single file, like
 *                         diffusers' {@code from_single_file(config=...)}
 * @param unetHeads        UNet heads per attention block (SD1 style), overriding the default
 * @param unetHeadChannels UNet channels per head (SD2 style), overriding the default
 * @param textHeads        text encoder heads (real models: width / 64)
 * @param vae              a VAE file or folder used instead of the model's own (e.g. the SDXL fp16-fix VAE), or null
 */
public record ModelOptions(Device device, DataType precision, PredictionType predictionType, Integer normGroups,
                           Path config, Integer unetHeads, Integer unetHeadChannels, Integer textHeads, Path vae) {

    /** Without a VAE override. */
    public ModelOptions(Device device, DataType precision, PredictionType predictionType, Integer normGroups,
                        Path config, Integer unetHeads, Integer unetHeadChannels, Integer textHeads) {
        this(device, precision, predictionType, normGroups, config, unetHeads, unetHeadChannels, textHeads, null);
    }

    public ModelOptions {
        if (precision != DataType.FLOAT32 && precision != DataType.FLOAT16 && precision != DataType.BFLOAT16)
            throw new IllegalArgumentException("precision must be FLOAT32, FLOAT16 or BFLOAT16, not " + precision);
        if (precision == DataType.BFLOAT16 && device.isGpu())
            throw new IllegalArgumentException("bf16 is a CPU mode; on a GPU use fp16");
    }

    /**
     * The precision a user names: {@code fp32}, {@code fp16}, {@code bf16}; null for {@code auto} (the device's
     * default).
     */
    public static DataType precisionNamed(String name) {
        return switch (name) {
            case "fp32" -> DataType.FLOAT32;
            case "fp16" -> DataType.FLOAT16;
            case "bf16" -> DataType.BFLOAT16;
            case "auto" -> null;
            default -> throw new IllegalArgumentException("precision must be auto, fp32, fp16 or bf16, not " + name);
        };
    }

    /** CPU, float32, everything from the model itself. */
    public static ModelOptions cpu() {
        return new ModelOptions(Device.cpu(), DataType.FLOAT32, null, null, null, null, null, null);
    }

    /** This with {@code precisionName} applied ({@link #precisionNamed}); {@code auto} keeps the current one. */
    public ModelOptions withPrecision(String precisionName) {
        DataType named = precisionNamed(precisionName);
        return named == null ? this : withPrecision(named);
    }

    public ModelOptions withDevice(Device d) {
        return new ModelOptions(d, precision, predictionType, normGroups, config, unetHeads, unetHeadChannels, textHeads, vae);
    }

    public ModelOptions withPrecision(DataType p) {
        return new ModelOptions(device, p, predictionType, normGroups, config, unetHeads, unetHeadChannels, textHeads, vae);
    }

    public ModelOptions withPredictionType(PredictionType p) {
        return new ModelOptions(device, precision, p, normGroups, config, unetHeads, unetHeadChannels, textHeads, vae);
    }

    public ModelOptions withNormGroups(int groups) {
        return new ModelOptions(device, precision, predictionType, groups, config, unetHeads, unetHeadChannels, textHeads, vae);
    }

    public ModelOptions withConfig(Path diffusersFolder) {
        return new ModelOptions(device, precision, predictionType, normGroups, diffusersFolder, unetHeads, unetHeadChannels,
                textHeads, vae);
    }

    public ModelOptions withUNetHeads(int heads) {
        return new ModelOptions(device, precision, predictionType, normGroups, config, heads, null, textHeads, vae);
    }

    public ModelOptions withUNetHeadChannels(int channels) {
        return new ModelOptions(device, precision, predictionType, normGroups, config, null, channels, textHeads, vae);
    }

    public ModelOptions withTextHeads(int heads) {
        return new ModelOptions(device, precision, predictionType, normGroups, config, unetHeads, unetHeadChannels, heads, vae);
    }

    /** This with the VAE of {@code fileOrFolder} in place of the model's own (null: the model's). */
    public ModelOptions withVae(Path fileOrFolder) {
        return new ModelOptions(device, precision, predictionType, normGroups, config, unetHeads, unetHeadChannels,
                textHeads, fileOrFolder);
    }
}
