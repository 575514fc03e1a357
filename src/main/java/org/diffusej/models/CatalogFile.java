package org.diffusej.models;

/**
 * One file of a catalog model, as stored in its Hugging Face repository.
 *
 * @param path   path inside the repository (also the path inside the model's cache folder)
 * @param size   size in bytes, or -1 when the catalog does not know it (the Hub's reported size is used)
 * @param sha256 lower-case hex SHA-256, or null when unknown (the Hub's LFS object id is used when it reports one)
 */
public record CatalogFile(String path, long size, String sha256) {
    public CatalogFile {
        if (path == null || path.isBlank() || path.startsWith("/") || path.contains(".."))
            throw new IllegalArgumentException("catalog file path must be relative and inside the model folder: " + path);
        sha256 = sha256 == null || sha256.isBlank() ? null : sha256.toLowerCase(java.util.Locale.ROOT);
        if (size == 0) size = -1;
    }
}
