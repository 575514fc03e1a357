package org.diffusej.models;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A model file is not cached and cannot be fetched (offline mode, or no connection): the message is one sentence
 * naming what is missing, where to get it and where to put it.
 */
public class ModelOfflineException extends ModelNotAvailableException {
    private final String why;

    private ModelOfflineException(String message, String why, Throwable cause) {
        super(message, cause);
        this.why = why;
    }

    /** For one file: its name, its URL and the folder it belongs in. */
    public static ModelOfflineException forFile(String file, String url, Path folder, String why, Throwable cause) {
        return new ModelOfflineException("Model file " + file + " is not in the cache and cannot be downloaded (" + why
                + "): download it from " + url + " into " + folder.toAbsolutePath()
                + " or point --model at a checkpoint file you already have.", why, cause);
    }

    /** For a diffusers-layout model: the repository page, the files it needs and the folder to put them in. */
    public static ModelOfflineException forModel(CatalogEntry entry, String repoUrl, Path folder, String why,
                                                 Throwable cause) {
        List<String> paths = entry.files().stream().map(CatalogFile::path).collect(Collectors.toList());
        return new ModelOfflineException("Model " + entry.id() + " is not in the cache and cannot be downloaded (" + why
                + "): download " + String.join(", ", paths) + " from " + repoUrl + " into "
                + folder.toAbsolutePath() + " (keeping their sub-folders) or point --model at a checkpoint file "
                + "you already have.", why, cause);
    }

    /** The short reason (e.g. "offline mode is set"). */
    public String why() { return why; }
}
