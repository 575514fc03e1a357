package org.diffusej.cli;

import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;

import java.nio.file.Path;

/**
 * {@code --preview FILE}: rewrites the file with each step's preview (atomically, so a viewer never reads half a
 * PNG), then passes the event on. A preview that cannot be written is reported once and does not stop the run.
 */
final class PreviewWriter implements ProgressListener {
    private final Path file;
    private final ProgressListener next;
    private boolean failed;

    PreviewWriter(Path file, ProgressListener next) {
        this.file = file;
        this.next = next;
    }

    @Override
    public void onProgress(Progress p) {
        if (p.preview() != null && !failed) {
            try {
                ImageFiles.write(file, p.preview(), 8, false, null, true);   // written beside, then moved in place
            } catch (Exception e) {
                failed = true;
                System.err.println("Cannot write the preview " + file + ": " + e.getMessage());
            }
        }
        next.onProgress(p);
    }
}
