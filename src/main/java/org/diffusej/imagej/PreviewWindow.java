package org.diffusej.imagej;

import ij.ImagePlus;
import java.awt.GraphicsEnvironment;
import org.diffusej.engine.RgbImage;

/**
 * A "DiffuseJ preview" image window that shows the image so far while a generation runs (TAESD previews at full
 * size); opened on the first preview, updated in place after that. Headless, it keeps the image without a window.
 */
public final class PreviewWindow {
    /** The window's title. */
    public static final String TITLE = "DiffuseJ preview";

    private ImagePlus imp;

    /** Shows {@code preview}, replacing the previous one (a new size replaces the processor). */
    public synchronized void show(RgbImage preview) {
        if (preview == null) return;
        var cp = ImageConversion.toColorProcessor(preview);
        if (imp == null) {
            imp = new ImagePlus(TITLE, cp);
            if (!GraphicsEnvironment.isHeadless()) imp.show();
        } else {
            imp.setProcessor(cp);
            imp.updateAndDraw();
        }
    }

    /** The preview image so far, or null before the first preview. */
    public synchronized ImagePlus image() { return imp; }
}
