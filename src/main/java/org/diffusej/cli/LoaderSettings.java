package org.diffusej.cli;

/**
 * How to load a model, from the common command-line options.
 *
 * @param device     {@code auto}, {@code cpu} or {@code gpu}
 * @param precision  {@code auto}, {@code fp32}, {@code fp16} or {@code bf16}
 * @param threads    intra-op CPU threads, or 0 for the library's default
 * @param prediction {@code epsilon} or {@code v} when known from the catalog, else null (detected by the loader)
 * @param config     a diffusers folder describing a single-file checkpoint (group norms, heads, scheduler), or null
 * @param loras      where {@code <lora:name:mult>} prompt tags find their files
 * @param taesd      a tiny autoencoder (TAESD file or folder) that decodes the final images and previews, or null
 * @param vae        a VAE file or folder used instead of the model's own (e.g. the SDXL fp16-fix VAE), or null
 * @param taesdPreviewsOnly the tiny autoencoder decodes only the previews; the final images stay the VAE's
 */
public record LoaderSettings(String device, String precision, int threads, String prediction, java.nio.file.Path config,
                             org.diffusej.engine.lora.LoraLibrary loras, java.nio.file.Path taesd, java.nio.file.Path vae,
                             boolean taesdPreviewsOnly) {
    /** Without a VAE override; the tiny autoencoder (if any) decodes the final images too. */
    public LoaderSettings(String device, String precision, int threads, String prediction, java.nio.file.Path config,
                          org.diffusej.engine.lora.LoraLibrary loras, java.nio.file.Path taesd) {
        this(device, precision, threads, prediction, config, loras, taesd, null, false);
    }

    /** Settings without a LoRA library or a tiny autoencoder. */
    public LoaderSettings(String device, String precision, int threads, String prediction, java.nio.file.Path config) {
        this(device, precision, threads, prediction, config, null, null);
    }

    /** These settings with {@code file} (null: the model's own) as the VAE. */
    public LoaderSettings withVae(java.nio.file.Path file) {
        return new LoaderSettings(device, precision, threads, prediction, config, loras, taesd, file, taesdPreviewsOnly);
    }
}
