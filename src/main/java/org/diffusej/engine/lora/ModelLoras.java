package org.diffusej.engine.lora;

import org.diffusej.engine.DiffusionException;

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

    /** LoRAs for a model that applies them through {@code patcher}. */
    public ModelLoras(LoraPatcher patcher) {
        this.patcher = patcher;
    }

    public LoraLibrary library() { return library; }

    public void setLibrary(LoraLibrary library) { this.library = library; }

    /** What merges the LoRAs into the model's weights. */
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
