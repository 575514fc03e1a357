package org.diffusej.models;

/** Receives download progress (a CLI progress bar, Fiji's status bar); called on the downloading thread. */
@FunctionalInterface
public interface DownloadListener {
    DownloadListener NONE = p -> { };

    void onProgress(DownloadProgress progress);
}
