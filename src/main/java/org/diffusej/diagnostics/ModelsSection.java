package org.diffusej.diagnostics;

import org.diffusej.models.CatalogEntry;
import org.diffusej.models.ModelCache;
import org.diffusej.models.ModelCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The model cache: where it is, whether DiffuseJ can write to it, and the catalog models in it.
 *
 * @param cacheFolder the cache folder (home folder as ~)
 * @param state       {@code folder}, {@code missing} (made on the first download) or {@code not a folder}
 * @param writable    true when downloads can be written there (or its nearest existing parent, when missing)
 * @param freeBytes   free space on its disk, or -1 where unknown
 * @param cached      the catalog models with anything in the cache
 * @param notCached   the catalog ids with nothing in the cache
 */
public record ModelsSection(String cacheFolder, String state, boolean writable, long freeBytes, List<Cached> cached,
                            List<String> notCached) implements Facts {

    public ModelsSection {
        cached = List.copyOf(cached);
        notCached = List.copyOf(notCached);
    }

    /**
     * One cached catalog model.
     *
     * @param id          catalog id
     * @param complete    every file present (and checked at download)
     * @param bytesOnDisk everything in its folder, partial downloads included
     */
    public record Cached(String id, boolean complete, long bytesOnDisk) {
    }

    /** Looks at {@code cacheFolder} for the models of {@code catalog}; reads sizes, never file contents. */
    static ModelsSection gather(ModelCatalog catalog, Path cacheFolder) throws IOException {
        ModelCache cache = new ModelCache(cacheFolder);
        Path root = cache.root();
        String state = Files.isDirectory(root) ? "folder" : Files.exists(root) ? "not a folder" : "missing";
        Path existing = root;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        boolean writable = existing != null && Files.isDirectory(existing) && Files.isWritable(existing);
        long free = existing == null ? -1 : existing.toFile().getUsableSpace();
        List<Cached> cached = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ModelCache.CachedModel c : cache.list(catalog)) {
            cached.add(new Cached(c.entry().id(), c.complete(), c.bytesOnDisk()));
            seen.add(c.entry().id());
        }
        List<String> notCached = catalog.entries().stream().map(CatalogEntry::id).filter(id -> !seen.contains(id)).toList();
        return new ModelsSection(Redact.path(root), state, writable, free, cached, notCached);
    }

    @Override
    public List<Line> lines() {
        List<Line> out = new ArrayList<>();
        String where = switch (state) {
            case "missing" -> " (not made yet: made on the first download)";
            case "folder" -> writable ? "" : " (read-only)";
            default -> " (" + state + ")";
        };
        out.add(new Line("cache folder", cacheFolder + where
                + (freeBytes >= 0 ? ", " + ReportText.bytes(freeBytes) + " free" : "")));
        for (Cached c : cached)
            out.add(new Line(c.id(), (c.complete() ? "complete, " : "incomplete (partial download), ")
                    + ReportText.bytes(c.bytesOnDisk()), 1));
        out.add(new Line("not downloaded", notCached.isEmpty() ? "none" : String.join(", ", notCached)));
        return out;
    }

    @Override
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (state.equals("not a folder"))
            out.add("the cache folder " + cacheFolder + " is a file, not a folder: set DIFFUSEJ_HOME to a folder");
        else if (!writable)
            out.add("the cache folder " + cacheFolder + " cannot be written: downloads would fail (set DIFFUSEJ_HOME "
                    + "to a writable folder)");
        return out;
    }
}
