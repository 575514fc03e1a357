package org.diffusej.models;

import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.Mode;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Turns what the user named into something to load: an existing file or folder as is, else a catalog id from the
 * cache, else a catalog id downloaded into the cache. Nothing named: the default model for the mode.
 */
public final class ModelResolver {
    private final ModelCatalog catalog;
    private final ModelSettings settings;
    private final ModelCache cache;
    private final Downloader downloader;

    public ModelResolver(ModelCatalog catalog, ModelSettings settings, Downloader downloader) {
        this.catalog = catalog;
        this.settings = settings;
        this.cache = new ModelCache(settings.cacheDir());
        this.downloader = downloader;
    }

    /** The bundled catalog with settings from the environment. */
    public static ModelResolver fromEnvironment() {
        ModelSettings s = ModelSettings.fromEnvironment();
        return new ModelResolver(ModelCatalog.bundled(), s, Downloader.forSettings(s));
    }

    public ModelCatalog catalog() { return catalog; }
    public ModelSettings settings() { return settings; }
    public ModelCache cache() { return cache; }
    public Downloader downloader() { return downloader; }

    /**
     * The file or folder to load for {@code model} (a path or catalog id; null or blank = the mode's default),
     * downloading a catalog model on first use.
     */
    public Path resolve(String model, Mode mode, DownloadListener listener, CancellationToken token)
            throws DiffusionException {
        String name = model == null || model.isBlank() ? settings.defaultModel(mode, catalog) : model.trim();
        Path path = asExistingPath(name);
        if (path != null) return path;
        CatalogEntry entry = catalog.find(name).orElseThrow(() -> new ModelNotAvailableException("There is no file or "
                + "folder " + name + " and it is not a catalog model id (known ids: " + catalog.idList() + ")."));
        return pull(entry, listener, token);
    }

    /** The catalog entry for an id, or a message listing the known ids. */
    public CatalogEntry entry(String id) throws ModelNotAvailableException {
        return catalog.find(id).orElseThrow(() -> new ModelNotAvailableException("Unknown model id " + id
                + " (known ids: " + catalog.idList() + ")."));
    }

    /** Downloads whatever files of a catalog model are missing; returns what to load. */
    public Path pull(CatalogEntry entry, DownloadListener listener, CancellationToken token) throws DiffusionException {
        if (cache.isComplete(entry)) return cache.location(entry);
        try {
            for (CatalogFile f : entry.files()) {
                Path target = cache.file(entry, f);
                if (Files.isRegularFile(target)) continue;
                if (settings.offline())
                    throw ModelOfflineException.forFile(f.path(), url(entry, f), target.getParent(), "offline mode is set",
                            null);
                downloader.download(entry.repo(), entry.revision(), f, target, listener, token);
            }
        } catch (ModelOfflineException e) {
            if (entry.singleFile()) throw e;
            throw ModelOfflineException.forModel(entry, repoUrl(entry), cache.folder(entry), e.why(), e.getCause());
        }
        return cache.location(entry);
    }

    /** The Hub page of a catalog model's repository. */
    public String repoUrl(CatalogEntry e) {
        String u = url(e, e.files().get(0));
        return u.substring(0, u.indexOf("/resolve/"));
    }

    /** The download URL of a catalog file. */
    public String url(CatalogEntry e, CatalogFile f) { return downloader.url(e.repo(), e.revision(), f.path()); }

    private static Path asExistingPath(String name) {
        try {
            String expanded = name.startsWith("~/") ? System.getProperty("user.home") + name.substring(1) : name;
            Path p = Paths.get(expanded);
            return Files.exists(p) ? p.toAbsolutePath().normalize() : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
