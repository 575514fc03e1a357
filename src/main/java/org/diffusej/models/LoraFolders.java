package org.diffusej.models;

import org.diffusej.engine.lora.LoraLibrary;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where every face looks for LoRAs named by prompt tags, in this order: the folder the user chose (CLI
 * {@code --loras}, Fiji's Model &amp; Device), the {@code DIFFUSEJ_LORAS} environment variable, the {@code loras}
 * folder of the DiffuseJ cache; those that exist.
 */
public final class LoraFolders {
    /** Environment variable naming a LoRA folder. */
    public static final String ENV = "DIFFUSEJ_LORAS";

    private LoraFolders() { }

    /** The library of {@code chosen} (or null), {@code env}'s {@link #ENV} and {@code cacheRoot}/loras (or null). */
    public static LoraLibrary library(Path chosen, Map<String, String> env, Path cacheRoot) {
        List<Path> folders = new ArrayList<>();
        if (chosen != null) folders.add(chosen);
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) folders.add(Path.of(fromEnv));
        if (cacheRoot != null) folders.add(cacheRoot.resolve("loras"));
        return LoraLibrary.of(folders);
    }
}
