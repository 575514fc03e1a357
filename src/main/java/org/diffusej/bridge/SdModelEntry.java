package org.diffusej.bridge;

import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.infotext.ModelHash;

import java.nio.file.Path;

/**
 * One entry of A1111's {@code /sdapi/v1/sd-models}.
 *
 * @param title     A1111's {@code file.safetensors [shorthash]} (the bare file or folder name while the hash is not
 *                  known yet); what options select by
 * @param modelName file or folder name without extension
 * @param hash      first 10 hex of the SHA-256, or null before the model was loaded
 * @param filename  where it lives
 */
public record SdModelEntry(String title, String modelName, String hash, String filename) {

    public static SdModelEntry of(ModelInfo info) {
        String hash = blankToNull(info.shortHash());
        return new SdModelEntry(titleOf(fileName(info.location(), info.name()), hash), info.name(), hash, info.location());
    }

    /** A1111's checkpoint title: the file name with its extension, then the short hash in brackets when known. */
    static String titleOf(String fileName, String hash) {
        return hash == null ? fileName : fileName + " [" + hash + "]";
    }

    /** The file (or folder) name of {@code location}; a diffusers folder called "diffusers" goes by {@code name}. */
    private static String fileName(String location, String name) {
        if (location == null || location.isEmpty()) return name;
        Path p = Path.of(location).getFileName();
        if (p == null) return name;
        String f = p.toString();
        return f.contains(".") ? f : name;
    }

    /** The full SHA-256 once this process has computed it (when the model was loaded), else null. */
    public String sha256() {
        return ModelHash.knownSha256(hash);
    }

    /** True if {@code name} is this checkpoint's title, model name, file name (with or without a hash suffix) or hash. */
    public boolean matches(String name) {
        if (name == null || name.length() > 1024) return false;
        String n = name.trim();
        if (hash != null && n.equalsIgnoreCase(hash)) return true;
        String bare = n.replaceFirst("\\s*\\[[0-9a-fA-F]+]$", "");
        String file = filename == null ? "" : Path.of(filename).getFileName().toString();
        return n.equals(title) || bare.equals(modelName) || bare.equals(file) || n.equals(filename)
                || (title != null && bare.equals(title.replaceFirst("\\s*\\[[0-9a-fA-F]+]$", "")));
    }

    private static String blankToNull(String s) { return s == null || s.isEmpty() ? null : s; }
}
