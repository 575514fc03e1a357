package org.diffusej.bridge;

import org.diffusej.engine.ModelInfo;

/**
 * One entry of A1111's {@code /sdapi/v1/sd-models}.
 *
 * @param title     {@code name [shorthash]} (or the name when the hash is not known yet); what options select by
 * @param modelName file or folder name without extension
 * @param hash      first 10 hex of the SHA-256, or null before the model was loaded
 * @param filename  where it lives
 */
public record Checkpoint(String title, String modelName, String hash, String filename) {

    public static Checkpoint of(ModelInfo info) {
        return new Checkpoint(info.title(), info.name(), blankToNull(info.shortHash()), info.location());
    }

    /** True if {@code name} is this checkpoint's title, model name, file name (with or without a hash suffix) or hash. */
    public boolean matches(String name) {
        if (name == null || name.length() > 1024) return false;
        String n = name.trim();
        if (hash != null && n.equalsIgnoreCase(hash)) return true;
        String bare = n.replaceFirst("\\s*\\[[0-9a-fA-F]+]$", "");
        String file = filename == null ? "" : java.nio.file.Path.of(filename).getFileName().toString();
        return n.equals(title) || bare.equals(modelName) || bare.equals(file) || n.equals(filename);
    }

    private static String blankToNull(String s) { return s == null || s.isEmpty() ? null : s; }
}
