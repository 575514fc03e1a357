package org.diffusej.imagej;

import ij.IJ;
import java.util.Locale;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Progress;
import org.diffusej.engine.ProgressListener;

/**
 * Shows engine progress in ImageJ's status and progress bars ("DiffuseJ denoise 7/20, 3 s left") and turns
 * the Esc key into a cancellation of {@code token}; optionally shows each step's preview in a {@link PreviewWindow}.
 */
public final class StatusBarProgress implements ProgressListener {
    private final String title;
    private final CancellationToken token;
    private final PreviewWindow previews;

    public StatusBarProgress(String title, CancellationToken token) {
        this(title, token, null);
    }

    /** @param previews where the engine's previews go while the run lasts, or null for none */
    public StatusBarProgress(String title, CancellationToken token, PreviewWindow previews) {
        this.title = title;
        this.token = token;
        this.previews = previews;
        IJ.resetEscape();
    }

    @Override
    public void onProgress(Progress p) {
        if (IJ.escapePressed()) token.cancel();
        String eta = p.etaSeconds() >= 0 ? String.format(Locale.ROOT, ", %.0f s left", p.etaSeconds()) : "";
        IJ.showStatus(title + " " + p.phase() + " " + p.step() + "/" + p.total() + eta + " (Esc cancels)");
        IJ.showProgress(p.step(), Math.max(1, p.total()));
        if (previews != null && p.preview() != null) previews.show(p.preview());
    }

    /** Clears the progress bar. */
    public void done() {
        IJ.showProgress(1.0);
    }
}
