package org.diffusej.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder holding downloaded catalog models: {@code <root>/<id>/<file path in the repository>}. Next to each
 * downloaded file lies {@code <file>.sha256}, the hash checked at download, so {@link #verify} can check files
 * whose catalog entry carries no hash.
 */
public final class ModelCache {
    private final Path root;

    public ModelCache(Path root) { this.root = root.toAbsolutePath(); }

    public Path root() { return root; }

    /** The folder of one model. */
    public Path folder(CatalogEntry e) { return root.resolve(e.id()); }

    /** Where a file of a model is (or will be) cached. */
    public Path file(CatalogEntry e, CatalogFile f) { return folder(e).resolve(f.path()); }

    /** What to load: the checkpoint file of a single-file model, the folder of a diffusers model. */
    public Path location(CatalogEntry e) { return e.singleFile() ? file(e, e.files().get(0)) : folder(e); }

    /** True when every file of the model is in place (files appear only after their checksum passed). */
    public boolean isComplete(CatalogEntry e) {
        for (CatalogFile f : e.files()) if (!Files.isRegularFile(file(e, f))) return false;
        return true;
    }

    /** The catalog models that have anything in the cache. */
    public List<CachedModel> list(ModelCatalog catalog) throws IOException {
        List<CachedModel> out = new ArrayList<>();
        for (CatalogEntry e : catalog.entries()) {
            Path dir = folder(e);
            if (!Files.isDirectory(dir)) continue;
            out.add(new CachedModel(e, location(e), isComplete(e), bytesUnder(dir)));
        }
        return out;
    }

    /** Re-hashes every file of a model and compares with the catalog's hash, else the one recorded at download. */
    public VerifyReport verify(CatalogEntry e) throws IOException {
        List<VerifyReport.FileCheck> checks = new ArrayList<>();
        for (CatalogFile f : e.files()) {
            Path p = file(e, f);
            String expected = f.sha256() != null ? f.sha256() : recordedHash(p);
            if (!Files.isRegularFile(p)) {
                checks.add(new VerifyReport.FileCheck(f.path(), VerifyReport.Status.MISSING, expected, null));
                continue;
            }
            if (f.size() >= 0 && Files.size(p) != f.size()) {
                checks.add(new VerifyReport.FileCheck(f.path(), VerifyReport.Status.MISMATCH, expected,
                        "size " + Files.size(p) + " instead of " + f.size()));
                continue;
            }
            String actual = Sha256.of(p);
            VerifyReport.Status status = expected == null ? VerifyReport.Status.UNVERIFIABLE
                    : expected.equals(actual) ? VerifyReport.Status.OK : VerifyReport.Status.MISMATCH;
            checks.add(new VerifyReport.FileCheck(f.path(), status, expected, actual));
        }
        return new VerifyReport(e.id(), checks);
    }

    /** Deletes a model's folder (downloaded files, partial downloads, recorded hashes); false if there was none. */
    public boolean remove(CatalogEntry e) throws IOException {
        Path dir = folder(e);
        if (!Files.exists(dir)) return false;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
        return true;
    }

    /** The file that records a downloaded file's SHA-256. */
    static Path recordedHashFile(Path file) { return file.resolveSibling(file.getFileName() + ".sha256"); }

    private static String recordedHash(Path file) throws IOException {
        Path h = recordedHashFile(file);
        if (!Files.isRegularFile(h)) return null;
        String s = Files.readString(h, StandardCharsets.US_ASCII).trim();
        return Sha256.isHex(s) ? s.toLowerCase(java.util.Locale.ROOT) : null;
    }

    private static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /**
     * A catalog model found in the cache.
     *
     * @param entry       the catalog entry
     * @param location    what a loader opens (file or folder)
     * @param complete    all files present
     * @param bytesOnDisk everything under the model's folder, partial downloads included
     */
    public record CachedModel(CatalogEntry entry, Path location, boolean complete, long bytesOnDisk) { }
}
