package org.diffusej.engine.lora;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where prompt tags find their LoRAs: {@code .safetensors} files in folders (searched with their subfolders, the
 * name is the file name without extension, as A1111's) plus files given one by one (CLI {@code --lora}).
 * Immutable; explicit files win over folder files of the same name.
 */
public final class LoraLibrary {
    private static final int DEPTH = 4;
    private final List<Path> folders;
    private final Map<String, Path> files;

    private LoraLibrary(List<Path> folders, Map<String, Path> files) {
        this.folders = List.copyOf(folders);
        this.files = Map.copyOf(files);
    }

    /** No folder, no file: every tag is refused with a sentence saying where LoRAs go. */
    public static LoraLibrary empty() { return new LoraLibrary(List.of(), Map.of()); }

    /** The folders that exist among {@code folders} (in this order of precedence). */
    public static LoraLibrary of(List<Path> folders) {
        List<Path> existing = new ArrayList<>();
        for (Path f : folders) if (f != null && Files.isDirectory(f)) existing.add(f);
        return new LoraLibrary(existing, Map.of());
    }

    /** This library plus {@code file}, named by its file name without extension. */
    public LoraLibrary withFile(Path file) {
        Map<String, Path> more = new LinkedHashMap<>(files);
        more.put(stem(file), file);
        return new LoraLibrary(folders, more);
    }

    public List<Path> folders() { return folders; }

    /** Every LoRA this library can name: name → file (explicit files first, then folder order). */
    public Map<String, Path> list() throws InvalidLoraException {
        Map<String, Path> all = new LinkedHashMap<>(files);
        for (Path folder : folders)
            try (Stream<Path> walk = Files.walk(folder, DEPTH)) {
                walk.filter(p -> Files.isRegularFile(p) && isLora(p)).sorted()
                        .forEach(p -> all.putIfAbsent(stem(p), p));
            } catch (IOException e) {
                throw new InvalidLoraException("Cannot list the LoRA folder " + folder + ": " + e.getMessage(), e);
            }
        return all;
    }

    /** The file of {@code name} (exact, else case-insensitive). */
    public Path resolve(String name) throws InvalidLoraException {
        Map<String, Path> all = list();
        Path p = all.get(name);
        if (p == null)
            for (Map.Entry<String, Path> e : all.entrySet())
                if (e.getKey().equalsIgnoreCase(name)) p = e.getValue();
        if (p != null) return p;
        String where = folders.isEmpty() ? "No LoRA folder is set (CLI --loras DIR, the DIFFUSEJ_LORAS environment "
                + "variable, or the loras folder of the DiffuseJ cache)"
                : "It is not in " + folders.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("");
        throw new InvalidLoraException("The prompt asks for the LoRA '" + name + "', but no " + name
                + ".safetensors was found. " + where + ".");
    }

    private static boolean isLora(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
