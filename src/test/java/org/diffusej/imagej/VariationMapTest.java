package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Undo;
import ij.WindowManager;
import ij.gui.OvalRoi;
import ij.plugin.ZProjector;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.util.ArrayList;
import java.util.List;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.scijava.command.CommandModule;
import org.junit.jupiter.api.Test;

/** Variation Map against hand computations: per-pixel mean and SD (divisor N−1) across candidates or stack frames. */
class VariationMapTest {
    /** Float32 output of a double computation: relative error well below 1e-5. */
    private static final double TOLERANCE = 1e-3;

    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() {
        WindowManager.setTempCurrentImage(null);
        h.close();
    }

    /** Mean and SD by the textbook sums Σx and Σx² (not the two-pass form the code uses). */
    private static double[] byHand(double... x) {
        double s = 0, s2 = 0;
        for (double v : x) { s += v; s2 += v * v; }
        int n = x.length;
        return new double[] {s / n, Math.sqrt(Math.max(0, (s2 - s * s / n) / (n - 1)))};
    }

    @Test
    void candidateLayersGiveTheSpreadOfTheAppliedCandidates() throws Exception {
        ShortProcessor sp = new ShortProcessor(40, 32);
        for (int i = 0; i < sp.getPixelCount(); i++) sp.set(i, 200 + (i * 53) % 3000);
        sp.setMinAndMax(0, 4000);
        ImagePlus imp = new ImagePlus("g16", sp);
        imp.getCalibration().pixelWidth = 0.5;
        imp.setRoi(new OvalRoi(5, 4, 20, 18));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "p", "seed", 11L, "steps", 1, "candidates", 3,
                "strength", 0.8, "blur", 0, "output", "Layers");
        // each candidate as the user would get it: Apply Candidate, read the pixels, Undo
        List<ImageProcessor> applied = new ArrayList<>();
        WindowManager.setTempCurrentImage(imp);
        for (String layer : CandidateLayers.names(imp)) {
            h.run(ApplyCandidateCommand.class, "imp", imp, "layer", layer);
            applied.add(imp.getProcessor().duplicate());
            Undo.undo();
        }
        CommandModule m = h.run(VariationMapCommand.class, "imp", imp, "source", VariationMapCommand.LAYERS);
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus sd = (ImagePlus) m.getOutput("sd"), mean = (ImagePlus) m.getOutput("mean");
        assertEquals(32, sd.getBitDepth());
        assertEquals(1, sd.getStackSize());
        assertEquals(0.5, sd.getCalibration().pixelWidth);
        int varying = 0;
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 40; x++) {
                double[] e = byHand(applied.get(0).getf(x, y), applied.get(1).getf(x, y), applied.get(2).getf(x, y));
                assertEquals(e[0], mean.getProcessor().getf(x, y), TOLERANCE, "mean at " + x + "," + y);
                assertEquals(e[1], sd.getProcessor().getf(x, y), TOLERANCE, "SD at " + x + "," + y);
                if (!imp.getRoi().contains(x, y)) assertEquals(0f, sd.getProcessor().getf(x, y), "no spread outside the selection");
                else if (e[1] > 0) varying++;
            }
        assertTrue(varying > 100, "the candidates disagree inside the selection: " + varying);
    }

    @Test
    void rgbFramesGivePerChannelMapsThatMatchTheHandValues() throws Exception {
        int[][] rgb = {{10, 200, 0}, {20, 100, 0}, {60, 0, 0}}; // one pixel's R, G, B in three frames
        ImageStack s = new ImageStack(8, 8);
        for (int[] v : rgb) {
            ColorProcessor cp = new ColorProcessor(8, 8);
            cp.set(3, 4, v[0] << 16 | v[1] << 8 | v[2]);
            s.addSlice(cp);
        }
        ImagePlus imp = new ImagePlus("rgb", s);
        imp.setDimensions(1, 1, 3);
        CommandModule m = h.run(VariationMapCommand.class, "imp", imp, "source", VariationMapCommand.AUTOMATIC);
        ImagePlus sd = (ImagePlus) m.getOutput("sd"), mean = (ImagePlus) m.getOutput("mean");
        assertEquals(3, sd.getNChannels());
        assertEquals("SD red", sd.getStack().getSliceLabel(1));
        assertEquals("mean blue", mean.getStack().getSliceLabel(3));
        for (int c = 0; c < 3; c++) {
            double[] e = byHand(rgb[0][c], rgb[1][c], rgb[2][c]);
            assertEquals(e[0], mean.getStack().getProcessor(c + 1).getf(3, 4), TOLERANCE);
            assertEquals(e[1], sd.getStack().getProcessor(c + 1).getf(3, 4), TOLERANCE);
        }
        assertEquals(Math.sqrt(700), sd.getStack().getProcessor(1).getf(3, 4), TOLERANCE, "R: 10, 20, 60");
    }

    @Test
    void anAugmentStackAgreesWithZProjectStandardDeviation() throws Exception {
        ImagePlus src = new ImagePlus("g8", ImageConversionTest.ramp8(32, 24));
        CommandModule a = h.run(AugmentCommand.class, "imp", src, "prompt", "p", "seed", 3L, "steps", 1, "variants", 4, "strength", 0.5);
        ImagePlus variants = (ImagePlus) a.getOutput("result");
        assertEquals(4, variants.getNFrames());
        CommandModule m = h.run(VariationMapCommand.class, "imp", variants, "source", VariationMapCommand.STACK);
        ImagePlus sd = (ImagePlus) m.getOutput("sd");
        ImagePlus z = ZProjector.run(new ImagePlus("plain", variants.getStack()), "sd");
        for (int i = 0; i < 32 * 24; i++) assertEquals(z.getProcessor().getf(i), sd.getProcessor().getf(i), TOLERANCE, "pixel " + i);
    }

    @Test
    void aMacroRecordsAndRunsIt() {
        MacroCommandShim.install(h.context);
        String title = IJ.runMacro("setBatchMode(true); newImage('cells', '8-bit ramp', 32, 32, 1);"
                + "run('Augment...', 'prompt=[x] seed=1 steps=1 variants=3 strength=0.4');"
                + "run('Variation Map...', 'source=[" + VariationMapCommand.STACK + "]'); selectImage('cells augmented variation SD');"
                + "return getTitle() + ' ' + bitDepth() + ' ' + nSlices;");
        assertTrue(MacroCommandShim.refusals.isEmpty(), MacroCommandShim.refusals.toString());
        assertEquals("cells augmented variation SD 32 1", title);
    }

    @Test
    void oneSampleIsAMessage() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(16, 16));
        CommandModule m = h.run(VariationMapCommand.class, "imp", imp, "source", VariationMapCommand.AUTOMATIC);
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("at least 2 samples"), m.getCancelReason());
    }
}
