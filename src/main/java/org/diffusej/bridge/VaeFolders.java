package org.diffusej.bridge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The VAE files a client may select with A1111's {@code sd_vae} option: the {@code *.safetensors} files in the
 * folders given to the server ({@code serve --vaes DIR}, the cache's {@code vae/}), named by their path relative to
 * their folder with {@code /}. Only listed files are ever opened; a file whose real location lies outside its folder
 * (a link pointing elsewhere) is not listed. {@code /sdapi/v1/sd-vae} answers A1111's {@code model_name} and
 * {@code filename}, both the relative name (never an absolute path).
 */
public final class VaeFolders {
    /** A1111's {@code sd_vae} value for the server's start-up VAE ({@code serve --vae}, else the model's own). */
    public static final String AUTOMATIC = "Automatic";
    /** A1111's {@code sd_vae} value for the model's own VAE. */
    public static final String NONE = "None";
    private static final int MAX_DEPTH = 4;
    private final List<Path> folders;

    private VaeFolders(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    /** The existing folders among {@code folders} (nulls and missing ones are skipped). */
    public static VaeFolders of(List<Path> folders) {
        List<Path> out = new ArrayList<>();
        for (Path f : folders) if (f != null && Files.isDirectory(f) && !out.contains(f)) out.add(f);
        return new VaeFolders(out);
    }

    /** No VAE folders: only "Automatic" and "None" can be selected. */
    public static VaeFolders empty() { return new VaeFolders(List.of()); }

    /** Listed name → file, sorted by name; the first folder wins where two hold the same name. */
    public Map<String, Path> list() {
        Map<String, Path> out = new TreeMap<>();
        for (Path folder : folders) {
            Path root;
            try {
                root = folder.toRealPath();
            } catch (IOException e) {
                continue;
            }
            try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
                s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                 .filter(p -> inside(root, p))
                 .sorted()
                 .forEach(p -> out.putIfAbsent(root.relativize(p).toString().replace('\\', '/'), p));
            } catch (IOException | java.io.UncheckedIOException e) {
                // an unreadable folder lists nothing
            }
        }
        return out;
    }

    private static boolean inside(Path root, Path p) {
        try {
            return p.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The file a listed name stands for; {@link #AUTOMATIC} and {@link #NONE} give null. Anything else (a path, a
     * name not listed) is a 404 naming {@code field}.
     */
    public Path resolve(String name, String field) throws ApiException {
        if (AUTOMATIC.equals(name) || NONE.equals(name)) return null;
        Path p = name == null ? null : list().get(name);
        if (p == null)
            throw ApiException.notFound(field + ": VAE '" + OriginPolicy.quote(String.valueOf(name)) + "' is not one of "
                    + "this server's VAEs; use \"" + AUTOMATIC + "\", \"" + NONE + "\" or a model_name that "
                    + "/sdapi/v1/sd-vae lists.");
        return p;
    }

    /** A1111's {@code /sdapi/v1/sd-vae} answer. */
    JsonArray json() {
        JsonArray out = new JsonArray();
        for (String name : list().keySet()) {
            JsonObject o = new JsonObject();
            o.addProperty("model_name", name);
            o.addProperty("filename", name);
            out.add(o);
        }
        return out;
    }
}
