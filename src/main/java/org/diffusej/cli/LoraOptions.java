package org.diffusej.cli;

import org.diffusej.engine.lora.LoraLibrary;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LoRA options: {@code --lora FILE[:MULT]} (repeatable; added to the prompt as {@code <lora:name:MULT>}) and
 * {@code --loras DIR}, the folder prompt tags are looked up in, after which come {@code DIFFUSEJ_LORAS} and the
 * {@code loras} folder of the DiffuseJ cache.
 */
public final class LoraOptions {
    /** Environment variable naming a LoRA folder. */
    public static final String ENV = org.diffusej.models.LoraFolders.ENV;
    private static final Pattern WITH_MULTIPLIER = Pattern.compile("(.+):([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)");

    @Option(names = "--lora", paramLabel = "FILE[:MULT]",
            description = "Apply a LoRA .safetensors at MULT (default 1); repeatable. Same as <lora:name:MULT> in the prompt.")
    List<String> files = new ArrayList<>();

    @Option(names = "--loras", paramLabel = "DIR",
            description = "Folder of LoRAs for <lora:name:mult> prompt tags (also: env " + ENV + ", the cache's loras folder).")
    Path folder;

    /** One {@code --lora}: the file and its multiplier. */
    record Use(Path file, double multiplier) {
        String tag() {
            String n = file.getFileName().toString();
            int dot = n.lastIndexOf('.');
            return "<lora:" + (dot > 0 ? n.substring(0, dot) : n) + ":" + multiplier + ">";
        }
    }

    /** The {@code --lora} values, checked: the file exists, the multiplier is a number. */
    List<Use> uses() {
        List<Use> out = new ArrayList<>();
        for (String f : files) {
            Matcher m = WITH_MULTIPLIER.matcher(f);
            Path file = Path.of(m.matches() ? m.group(1) : f);
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--lora " + f + ": no such file " + file + ".");
            out.add(new Use(file, m.matches() ? Double.parseDouble(m.group(2)) : 1.0));
        }
        return out;
    }

    /** The prompt with a {@code <lora:…>} tag for each {@code --lora}. */
    String prompt(String prompt) {
        StringBuilder p = new StringBuilder(prompt == null ? "" : prompt);
        for (Use u : uses()) p.append(p.isEmpty() ? "" : " ").append(u.tag());
        return p.toString();
    }

    /** Folders (--loras, DIFFUSEJ_LORAS, cache/loras, those that exist) and the --lora files. */
    LoraLibrary library(Map<String, String> env, Path cacheRoot) {
        LoraLibrary lib = folders(folder, env, cacheRoot);
        for (Use u : uses()) lib = lib.withFile(u.file());
        return lib;
    }

    /** The folders that exist among {@code folder} (a {@code --loras}, or null), {@code DIFFUSEJ_LORAS}, cache/loras. */
    static LoraLibrary folders(Path folder, Map<String, String> env, Path cacheRoot) {
        return org.diffusej.models.LoraFolders.library(folder, env, cacheRoot);
    }
}
