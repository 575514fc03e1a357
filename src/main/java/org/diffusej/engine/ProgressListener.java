package org.diffusej.engine;

/** Receives progress from a running generation; called on the generating thread, so keep it cheap. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> { };

    void onProgress(Progress progress);
}
