package org.diffusej.cli;

import picocli.CommandLine.Option;

/** Options that choose and load the model (shared by every generating command). */
public final class ModelLoadOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "ID|PATH",
            description = "Catalog id (see `diffusej models list`), a .safetensors checkpoint or a diffusers folder. "
                    + "Default: the mode's default catalog model (downloaded on first use).")
    String model;

    @Option(names = "--model-config", paramLabel = "FOLDER",
            description = "A diffusers folder whose configs describe a single-file --model (unusual group norms or heads).")
    java.nio.file.Path config;

    @Option(names = "--taesd", paramLabel = "FILE|FOLDER",
            description = "Decode with the tiny autoencoder TAESD instead of the VAE (~100x faster, a little less "
                    + "detail): taesd_decoder.safetensors (taesd_encoder.safetensors beside it for img2img/inpaint) or a "
                    + "diffusers AutoencoderTiny folder. Also gives TAESD --preview images.")
    java.nio.file.Path taesd;

    @Option(names = "--vae", paramLabel = "FILE|FOLDER",
            description = "Use this VAE instead of the model's own (same architecture), e.g. the SDXL fp16-fix VAE "
                    + "(madebyollin/sdxl-vae-fp16-fix): a .safetensors file (original or diffusers naming) or a "
                    + "diffusers AutoencoderKL folder.")
    java.nio.file.Path vae;
    @Option(names = "--taesd-previews", paramLabel = "FILE|FOLDER",
            description = "Use the tiny autoencoder TAESD for the step previews only (--preview, the bridge's progress "
                    + "images); the final images stay the full VAE's. Same files as --taesd; give one of the two.")
    java.nio.file.Path taesdPreviews;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = "Where to run (default: ${DEFAULT-VALUE}: the GPU when there is one).")
    String device;

    @Option(names = "--precision", defaultValue = "auto", paramLabel = "auto|fp32|fp16|bf16",
            description = "Compute precision (default: ${DEFAULT-VALUE}: fp16 on GPU; on CPU bf16 where the CPU has "
                    + "native bf16 (AVX512-BF16/AMX) and bf16 passes its self-test on this host, else fp32). A bf16 "
                    + "that fails the self-test runs in fp32, with a note on stderr.")
    String precision;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "CPU threads for the engine (0 = all cores).")
    int threads;

    /** The settings these options load with: prediction from the catalog (or null) and the LoRA library. */
    LoaderSettings settings(String prediction, org.diffusej.engine.lora.LoraLibrary loras) throws InputException {
        if (taesd != null && taesdPreviews != null)
            throw new InputException("Give --taesd (final images and previews) or --taesd-previews (previews only), "
                    + "not both.");
        return new LoaderSettings(device, precision, threads, prediction, config, loras,
                taesd != null ? taesd : taesdPreviews, vae, taesdPreviews != null);
    }
}
