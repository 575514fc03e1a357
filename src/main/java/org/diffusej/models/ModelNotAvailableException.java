package org.diffusej.models;

import org.diffusej.engine.DiffusionException;

/** A model cannot be had: unknown id, missing file, offline and not cached, or not on the server. */
public class ModelNotAvailableException extends DiffusionException {
    public ModelNotAvailableException(String message) { super(message); }
    public ModelNotAvailableException(String message, Throwable cause) { super(message, cause); }

    /**
     * The one-sentence answer when a file is not cached and cannot be fetched: it names the file, where to get it
     * and where to put it.
     *
     * @param why short reason in parentheses, e.g. "offline mode" or "no network connection"
     */
    public static ModelNotAvailableException offline(String file, String url, java.nio.file.Path folder, String why,
                                                     Throwable cause) {
        return new ModelNotAvailableException("Model file " + file + " is not in the cache and cannot be downloaded ("
                + why + "): download it from " + url + " into " + folder.toAbsolutePath()
                + " or point --model at a checkpoint file you already have.", cause);
    }
}
