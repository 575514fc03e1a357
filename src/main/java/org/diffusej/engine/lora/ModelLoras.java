package org.diffusej.engine.lora;

import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;

import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LoRAs of one loaded model: its {@link LoraLibrary} (set by the face that loaded it) and its {@link LoraPatcher}.
 * {@link #activate} turns a prompt's {@code <lora:…>} tags into the set in effect for the next generation.
 */
public final class ModelLoras {
    private final LoraPatcher patcher;
    private volatile LoraLibrary library = LoraLibrary.empty();

    /** @param text the model's (single) text encoder; null for SDXL, whose LoRAs are refused for now */
    public ModelLoras(UNet unet, TextEncoder text, NDManager manager) {
        this.patcher = text == null ? null : new LoraPatcher(unet, text, manager);
    }

    public LoraLibrary library() { return library; }

    public void setLibrary(LoraLibrary library) { this.library = library; }

    /** The patcher, or null for a model LoRAs cannot be applied to (SDXL). */
    public LoraPatcher patcher() { return patcher; }

    /**
     * What a prompt asked for, now in effect.
     *
     * @param prompt the prompt without LoRA tags (what is tokenised)
     * @param hashes A1111's "Lora hashes" entries: mentioned name (without {@code :} and {@code ,}) → short hash
     */
    public record Activation(String prompt, List<LoraUse> uses, Map<String, String> hashes) {
        /** A1111's "Lora hashes" value ({@code name: hash, name2: hash2}), or null without LoRAs. */
        public String hashesText() {
            if (hashes.isEmpty()) return null;
            List<String> parts = new ArrayList<>();
            hashes.forEach((k, v) -> parts.add(k + ": " + v));
            return String.join(", ", parts);
        }
    }

    /** Applies the LoRAs {@code prompt} names (none: the base model) and returns the prompt without its tags. */
    public synchronized Activation activate(String prompt) throws DiffusionException {
        LoraPrompt parsed = LoraPrompt.parse(prompt);
        if (patcher == null) {
            if (!parsed.tags().isEmpty())
                throw new InvalidLoraException("LoRAs are not supported on SDXL models yet (the prompt names <lora:"
                        + parsed.tags().get(0).name() + ">); remove the LoRA tags or use an SD1/SD2 model.");
            return new Activation(parsed.prompt(), List.of(), Map.of());
        }
        List<LoraUse> uses = new ArrayList<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        for (LoraPrompt.Tag t : parsed.tags()) {
            Path file = library.resolve(t.name());
            LoraFile lora = LoraFile.open(file);
            uses.add(new LoraUse(lora, t.name(), t.textMultiplier(), t.unetMultiplier()));
            hashes.put(t.name().replace(":", "").replace(",", ""), lora.shortHash());
        }
        patcher.apply(uses);
        return new Activation(parsed.prompt(), List.copyOf(uses), hashes);
    }
}
