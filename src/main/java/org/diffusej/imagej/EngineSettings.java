package org.diffusej.imagej;

import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.models.LoraFolders;
import org.diffusej.models.ModelSettings;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Which model the shared engine runs and where.
 *
 * @param model     a catalog id (e.g. {@code sd15}) or a path to a {@code .safetensors} file or diffusers folder
 * @param device    {@code auto} (GPU when present), {@code cpu} or {@code gpu}
 * @param precision {@code auto} (fp16 on GPU; on CPU bf16 where it is native and passes its self-test, else fp32),
 *                  {@code fp32}, {@code fp16} or {@code bf16} (CPU; fp32 with a logged reason where bf16 fails its
 *                  self-test); see {@code PrecisionResolver}
 * @param loras     the LoRA folder prompt tags {@code <lora:name:mult>} look in first, or "" for none (then come
 *                  {@code DIFFUSEJ_LORAS} and the cache's {@code loras} folder, see {@link LoraFolders})
 * @param taesd     a TAESD file ({@code taesd_decoder.safetensors}) or diffusers folder for live previews at full
 *                  size while a generation runs; empty = none (cheap latent previews)
 * @param vae       a VAE file or folder used instead of the model's own (e.g. the SDXL fp16-fix VAE); empty = the
 *                  model's
 */
public record EngineSettings(String model, String device, String precision, String loras, String taesd, String vae) {
    /** Defaults: catalog model {@code sd15}, automatic device and precision, no LoRA folder, no TAESD. */
    public static final EngineSettings DEFAULT = new EngineSettings("sd15", "auto", "auto");

    /** Settings without a LoRA folder of their own and without TAESD. */
    public EngineSettings(String model, String device, String precision) {
        this(model, device, precision, "", "");
    }

    /** Settings with the model's own VAE. */
    public EngineSettings(String model, String device, String precision, String loras, String taesd) {
        this(model, device, precision, loras, taesd, "");
    }

    public EngineSettings {
        loras = loras == null ? "" : loras.trim();
        model = model == null || model.isBlank() ? DEFAULT_MODEL : model.trim();
        device = normalise(device, "auto", "cpu", "gpu");
        precision = normalise(precision, "auto", "fp32", "fp16", "bf16");
        taesd = taesd == null ? "" : taesd.trim();
        vae = vae == null ? "" : vae.trim();
    }

    /** Where prompt tags find LoRAs with these settings (the folders that exist). */
    public LoraLibrary loraLibrary() {
        return LoraFolders.library(loras.isEmpty() ? null : Path.of(loras), System.getenv(),
                ModelSettings.fromEnvironment().cacheDir());
    }

    /**
     * The same model, device, precision, TAESD and VAE, so the loaded pipeline can stay (a LoRA folder change needs no
     * other model).
     */
    public boolean sameModel(EngineSettings o) {
        return o != null && model.equals(o.model) && device.equals(o.device) && precision.equals(o.precision)
                && taesd.equals(o.taesd) && vae.equals(o.vae);
    }

    private static final String DEFAULT_MODEL = "sd15";

    private static String normalise(String v, String... allowed) {
        String s = v == null ? allowed[0] : v.trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) if (a.equals(s)) return a;
        throw new IllegalArgumentException("expected one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }
}
