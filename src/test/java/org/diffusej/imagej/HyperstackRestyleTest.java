package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.scijava.ItemVisibility;
import org.scijava.command.CommandModule;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * Stacks and hyperstacks through Restyle Image on the tiny fixture model (real pipeline, CPU fp32): the result
 * has the source's shape, bit depth and calibration, and every channel stays inside its own data range.
 */
class HyperstackRestyleTest {
    private final CommandHarness h = new CommandHarness(new PipelineEngineFactory());

    @AfterEach
    void close() { h.close(); }

    private static Calibration calibration() {
        Calibration cal = new Calibration();
        cal.pixelWidth = 0.25; cal.pixelHeight = 0.25; cal.pixelDepth = 1.5; cal.frameInterval = 2;
        cal.setUnit("µm");
        return cal;
    }

    /** 5 channels of 16 bits with very different ranges (channel c spans lo[c]..lo[c]+span[c]). */
    static CompositeImage fiveChannels() {
        int[] lo = {100, 1000, 20000, 0, 500}, span = {50, 200, 40000, 65535, 3};
        ImageStack s = new ImageStack(32, 24);
        for (int c = 0; c < 5; c++) {
            ShortProcessor sp = new ShortProcessor(32, 24);
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 32; x++) sp.set(x, y, lo[c] + (int) ((long) span[c] * ((x * 7 + y * 3 + c * 11) % 32) / 31));
            s.addSlice("ch" + (c + 1), sp);
        }
        ImagePlus imp = new ImagePlus("five", s);
        imp.setDimensions(5, 1, 1);
        CompositeImage ci = new CompositeImage(imp, IJ.COMPOSITE);
        ci.setCalibration(calibration());
        return ci;
    }

    private CommandModule restyle(ImagePlus imp, Object... more) throws Exception {
        h.diffusion.configure(new EngineSettings(Fixtures.diffusersDir("sd1-tiny").toString(), "cpu", "fp32"));
        Object[] base = {"imp", imp, "prompt", "x", "seed", 5L, "steps", 2, "candidates", 1, "strength", 0.7, "area", "Whole image",
                "output", "New image"};
        Object[] all = new Object[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        CommandModule m = h.run(RestyleImageCommand.class, all);
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(h.problems().isEmpty(), h.problems().toString());
        return m;
    }

    @Test
    void fiveChannelCompositeGoesChannelByChannelInItsOwnRanges() throws Exception {
        CompositeImage src = fiveChannels();
        double[][] ranges = PlaneByPlane.channelRanges(src);
        ImagePlus out = (ImagePlus) restyle(src).getOutput("result"); // "Current plane" chosen: > 3 channels force plane by plane
        assertArrayEquals(src.getDimensions(), out.getDimensions());
        assertEquals(16, out.getBitDepth());
        assertTrue(out.isComposite());
        assertEquals(src.getCalibration().toString(), out.getCalibration().toString());
        boolean changed = false;
        for (int c = 1; c <= 5; c++) {
            ImageProcessor o = out.getStack().getProcessor(c), in = src.getStack().getProcessor(c);
            for (int i = 0; i < o.getPixelCount(); i++) {
                float v = o.getf(i);
                assertTrue(v >= ranges[c - 1][0] && v <= ranges[c - 1][1],
                        "channel " + c + " pixel " + i + ": " + v + " outside " + ranges[c - 1][0] + ".." + ranges[c - 1][1]);
                changed |= v != in.getf(i);
            }
        }
        assertTrue(changed, "the engine changed some pixels");
        assertTrue(out.getStack().getSliceLabel(1).contains("Seed: 5"), out.getStack().getSliceLabel(1));
        assertTrue(SyntheticContent.isSynthetic(out), "marked synthetic");
    }

    @Test
    void zStackGoesSliceBySliceAndKeepsPixelsOutsideTheSelection() throws Exception {
        ImageStack s = new ImageStack(32, 24);
        for (int z = 0; z < 3; z++) {
            FloatProcessor fp = new FloatProcessor(32, 24);
            for (int i = 0; i < fp.getPixelCount(); i++) fp.setf(i, (float) (z * 10 + Math.sin(i * 0.05)));
            s.addSlice(fp);
        }
        ImagePlus src = new ImagePlus("z", s);
        src.setDimensions(1, 3, 1);
        src.setCalibration(calibration());
        src.setRoi(new Roi(8, 4, 16, 16));
        ImagePlus out = (ImagePlus) restyle(src, "area", "Selection bounds", "candidates", 2,
                "planes", RestyleImageCommand.EVERY_PLANE).getOutput("result");
        assertArrayEquals(new int[] {32, 24, 1, 3, 2}, out.getDimensions(), "candidates along time");
        assertEquals(32, out.getBitDepth());
        assertEquals(src.getCalibration().toString(), out.getCalibration().toString());
        double lo = PlaneByPlane.channelRanges(src)[0][0], hi = PlaneByPlane.channelRanges(src)[0][1];
        for (int k = 0; k < 2; k++)
            for (int z = 1; z <= 3; z++) {
                ImageProcessor o = out.getStack().getProcessor(out.getStackIndex(1, z, k + 1)), in = s.getProcessor(z);
                boolean inside = false;
                for (int y = 0; y < 24; y++)
                    for (int x = 0; x < 32; x++) {
                        float v = o.getf(x, y);
                        assertTrue(v >= lo && v <= hi, v + " outside " + lo + ".." + hi);
                        if (x >= 8 && x < 24 && y >= 4 && y < 20) inside |= v != in.getf(x, y);
                        else assertEquals(in.getf(x, y), v, 0f, "outside the selection (" + x + "," + y + ") unchanged");
                    }
                assertTrue(inside, "slice " + z + " candidate " + (k + 1) + " changed inside the selection");
            }
    }

    @Test
    void inpaintOnFiveChannelsGoesChannelByChannelAndKeepsPixelsFarFromTheSelection() throws Exception {
        CompositeImage src = fiveChannels();
        double[][] ranges = PlaneByPlane.channelRanges(src);
        src.setRoi(new Roi(8, 8, 16, 8));
        h.diffusion.configure(new EngineSettings(Fixtures.diffusersDir("sd1-tiny").toString(), "cpu", "fp32"));
        CommandModule m = h.run(InpaintSelectionCommand.class, "imp", src, "prompt", "x", "seed", 4L, "steps", 2, "candidates", 1,
                "strength", 1.0, "blur", 0, "output", "Layers");
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(((String) m.getInput("planesNote")).contains("5 channels"), (String) m.getInput("planesNote"));
        ImagePlus out = (ImagePlus) m.getOutput("result"); // a new image whatever "output" says: layers cannot hold 5 channels
        assertArrayEquals(src.getDimensions(), out.getDimensions());
        assertEquals(16, out.getBitDepth());
        assertEquals(src.getCalibration().toString(), out.getCalibration().toString());
        boolean inside = false;
        for (int c = 1; c <= 5; c++) {
            ImageProcessor o = out.getStack().getProcessor(c), in = src.getStack().getProcessor(c);
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 32; x++) {
                    float v = o.getf(x, y);
                    assertTrue(v >= ranges[c - 1][0] && v <= ranges[c - 1][1], "channel " + c + ": " + v);
                    if (x >= 8 && x < 24 && y >= 8 && y < 16) inside |= v != in.getf(x, y);
                    else if (x < 4 || x >= 28 || y < 4 || y >= 20) assertEquals(in.getf(x, y), v, 0f, "far from the selection, exact");
                }
        }
        assertTrue(inside, "the selection was repainted");
    }

    @Test
    void theDialogSaysWhatWillHappenToAHyperstack() throws Exception {
        Module module = h.context.service(ModuleService.class).createModule(h.commands.getCommand(RestyleImageCommand.class));
        module.setInput("imp", fiveChannels());
        module.initialize(); // runs the initializers, as the dialog's preprocessing does
        String note = (String) module.getInput("planesNote");
        assertTrue(note.contains("5 channel(s)") && note.contains("More than 3 channels") && note.contains("min..max"), note);
        assertEquals(ItemVisibility.MESSAGE, module.getInfo().getInput("planesNote").getVisibility());

        Module plain = h.context.service(ModuleService.class).createModule(h.commands.getCommand(RestyleImageCommand.class));
        plain.setInput("imp", new ImagePlus("one", new ShortProcessor(16, 16)));
        plain.initialize();
        assertEquals("", plain.getInput("planesNote"), "a single plane needs no note");
    }
}
