package org.diffusej.engine.lora;

/**
 * One LoRA at given strengths: {@code W += multiplier · alpha/rank · up·down}, with the text-encoder multiplier
 * for {@code lora_te_} modules and the UNet multiplier for {@code lora_unet_} ones (A1111's {@code <lora:name:te:unet>}).
 *
 * @param mentionedName the name the prompt used (written to "Lora hashes")
 */
public record LoraUse(LoraFile file, String mentionedName, double textMultiplier, double unetMultiplier) {
    public LoraUse {
        if (!Double.isFinite(textMultiplier) || !Double.isFinite(unetMultiplier))
            throw new IllegalArgumentException("LoRA multipliers must be finite numbers");
    }

    /** The same multiplier for both parts. */
    public static LoraUse of(LoraFile file, double multiplier) {
        return new LoraUse(file, file.name(), multiplier, multiplier);
    }

    double multiplier(LoraFile.Component c) {
        return c == LoraFile.Component.UNET ? unetMultiplier : textMultiplier;
    }
}
