package org.diffusej.imagej;

import ij.CommandListener;
import ij.CompositeImage;
import ij.Executer;
import ij.ImagePlus;
import ij.Undo;
import ij.WindowManager;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

/**
 * Makes Edit › Undo after Apply Candidate revert the recorded parameters with the pixels. ImageJ 1's Undo restores
 * pixels only, so this {@link CommandListener} takes over the "Undo" command for images with an applied candidate:
 * it runs ImageJ's own {@link Undo#undo()}, then looks at the applied region: if it holds the pixels from before the
 * apply, the "parameters" property and Info are put back exactly as they were; if it holds the applied pixels again
 * (ImageJ's Undo toggles, so a second Undo redoes), the applied candidate's parameters come back. The same goes
 * for the synthetic-content flag and the synthetic-pixel ROI ({@link SyntheticContent}). If another edit
 * came in between, the pixels match neither and the properties are left alone.
 */
final class ProvenanceUndo implements CommandListener {
    private static final ProvenanceUndo LISTENER = new ProvenanceUndo();
    private static final Map<ImagePlus, Step> STEPS = Collections.synchronizedMap(new WeakHashMap<>());
    private static boolean listening;

    private ProvenanceUndo() { }

    /**
     * The properties Apply changes: the raw "parameters" image property, the Info text, the synthetic-content
     * properties and the synthetic-pixel ROIs of the overlay ({@link SyntheticContent}).
     */
    record State(String parameters, Object info, Map<String, String> synthetic, List<Roi> syntheticRois) {
        static State of(ImagePlus imp) {
            Properties p = imp.getImageProperties();
            return new State(p == null ? null : p.getProperty(Provenance.KEY), imp.getProperty("Info"),
                    SyntheticContent.fields(imp), SyntheticContent.rois(imp));
        }

        void restore(ImagePlus imp) {
            if (parameters != null) imp.setProp(Provenance.KEY, parameters);
            else if (imp.getImageProperties() != null) imp.getImageProperties().remove(Provenance.KEY);
            imp.setProperty("Info", info);
            SyntheticContent.restore(imp, synthetic);
            SyntheticContent.restoreRois(imp, syntheticRois);
        }
    }

    /** One apply: where it wrote, the region's pixels and the properties before and after. */
    static final class Step {
        private final int[] planes;
        private final Rectangle region;
        private final int[][] before;
        private final State stateBefore;
        private int[][] after;
        private State stateAfter;

        private Step(ImagePlus imp, Rectangle region) {
            this.planes = planesOf(imp);
            this.region = region;
            this.before = crops(imp, planes, region);
            this.stateBefore = State.of(imp);
        }

        /**
         * Records the applied pixels (call once they are written); returns which pixels of the region changed in
         * any written plane, row-major.
         */
        boolean[] written(ImagePlus imp) {
            after = crops(imp, planes, region);
            boolean[] changed = new boolean[region.width * region.height];
            for (int p = 0; p < planes.length; p++)
                for (int i = 0; i < changed.length; i++) changed[i] |= before[p][i] != after[p][i];
            return changed;
        }

        /** Records the applied properties; from now on Edit › Undo on {@code imp} reverts pixels and properties. */
        void finish(ImagePlus imp) {
            if (after == null) after = crops(imp, planes, region);
            stateAfter = State.of(imp);
            STEPS.put(imp, this);
            listen();
        }

        /** Puts the properties that belong to the pixels now in the region; false if they match neither side. */
        boolean sync(ImagePlus imp) {
            int[][] now = crops(imp, planes, region);
            if (Arrays.deepEquals(now, before)) stateBefore.restore(imp);
            else if (Arrays.deepEquals(now, after)) stateAfter.restore(imp);
            else return false;
            return true;
        }
    }

    /** Starts an apply to {@code region} of {@code imp}'s current plane (call before changing anything). */
    static Step begin(ImagePlus imp, Rectangle region) {
        return new Step(imp, region);
    }

    @Override
    public String commandExecuting(String command) {
        if (!"Undo".equals(command)) return command;
        ImagePlus imp = WindowManager.getCurrentImage();
        Step step = imp == null ? null : STEPS.get(imp);
        if (step == null) return command;
        Undo.undo();
        step.sync(imp);
        return null; // done here
    }

    private static synchronized void listen() {
        if (listening) return;
        Executer.addCommandListener(LISTENER);
        listening = true;
    }

    /** Stack indexes the apply writes: every channel of the current z/t of a composite view, else the current plane. */
    private static int[] planesOf(ImagePlus imp) {
        if (!ImageConversion.isCompositeView(imp)) return new int[] {imp.getCurrentSlice()};
        CompositeImage ci = (CompositeImage) imp;
        int[] out = new int[ci.getNChannels()];
        for (int c = 0; c < out.length; c++) out[c] = ci.getStackIndex(c + 1, ci.getZ(), ci.getT());
        return out;
    }

    private static int[][] crops(ImagePlus imp, int[] planes, Rectangle r) {
        int[][] out = new int[planes.length][];
        for (int i = 0; i < planes.length; i++) {
            ImageProcessor ip = imp.getStackSize() == 1 || (planes.length == 1 && imp.getCurrentSlice() == planes[i])
                    ? imp.getProcessor() : imp.getStack().getProcessor(planes[i]);
            int[] raw = new int[r.width * r.height]; // ImageProcessor.get: raw values (float bits for 32-bit)
            for (int y = 0; y < r.height; y++)
                for (int x = 0; x < r.width; x++) raw[y * r.width + x] = ip.get(r.x + x, r.y + y);
            out[i] = raw;
        }
        return out;
    }
}
