package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.Executer;
import ij.ImagePlus;
import ij.ImageStack;
import ij.Undo;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.diffusej.engine.Mode;
import org.diffusej.engine.RgbImage;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.scijava.command.CommandModule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Inpaint Selection → layers → Apply Candidate → Undo, headless through the CommandService, on every image type. */
class InpaintAndApplyTest {
    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() { h.close(); }

    static Stream<Arguments> images() {
        Supplier<ImagePlus> g8 = () -> new ImagePlus("g8", ImageConversionTest.ramp8(48, 40));
        Supplier<ImagePlus> g16 = () -> {
            ShortProcessor sp = new ShortProcessor(48, 40);
            for (int i = 0; i < sp.getPixelCount(); i++) sp.set(i, 300 + (i * 37) % 9000);
            sp.setMinAndMax(500, 8000); // some pixels lie outside the display range: they must survive untouched
            return new ImagePlus("g16", sp);
        };
        Supplier<ImagePlus> f32 = () -> {
            FloatProcessor fp = new FloatProcessor(48, 40);
            for (int i = 0; i < fp.getPixelCount(); i++) fp.setf(i, (float) Math.sin(i * 0.01));
            fp.setMinAndMax(-1, 1);
            return new ImagePlus("f32", fp);
        };
        Supplier<ImagePlus> rgb = () -> {
            ColorProcessor cp = new ColorProcessor(48, 40);
            for (int i = 0; i < cp.getPixelCount(); i++) cp.set(i, (i * 5 & 0xff) << 16 | (i * 3 & 0xff) << 8 | (i & 0xff));
            return new ImagePlus("rgb", cp);
        };
        Supplier<ImagePlus> stack = () -> {
            ImageStack s = new ImageStack(48, 40);
            for (int z = 0; z < 3; z++) s.addSlice(ImageConversionTest.ramp8(48, 40));
            ImagePlus imp = new ImagePlus("stack", s);
            imp.setSlice(2);
            return imp;
        };
        Supplier<ImagePlus> composite = () -> {
            CompositeImage ci = ImageConversionTest.composite();
            return ci;
        };
        return Stream.of(Arguments.of("8-bit", g8), Arguments.of("16-bit", g16), Arguments.of("32-bit", f32),
                Arguments.of("RGB", rgb), Arguments.of("stack", stack), Arguments.of("composite", composite));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void candidatesBecomeLayersAndApplyIsOneUndoableStep(String name, Supplier<ImagePlus> make) throws Exception {
        ImagePlus imp = make.get();
        imp.setRoi(new OvalRoi(4, 3, 10, 9));
        ImageStack before = imp.getStack().duplicate();

        CommandModule m = h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "a cell", "seed", 42L, "steps", 3,
                "candidates", 2, "strength", 0.9, "output", "Layers");
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(h.problems().isEmpty(), h.problems().toString());
        assertEquals(Mode.INPAINT, engine.lastRequest().mode());
        assertStackEquals(before, imp.getStack(), "the original is untouched by layers");

        Overlay overlay = imp.getOverlay();
        assertEquals(2, overlay.size());
        ImageRoi first = (ImageRoi) overlay.get(0);
        assertEquals("DiffuseJ inpaint 1 (seed 42)", first.getName());
        assertEquals("DiffuseJ inpaint 2 (seed 43)", overlay.get(1).getName());
        assertEquals(new java.awt.Rectangle(4, 3, 10, 9), first.getBounds(), "layer covers the changed pixels = the oval's bounds");
        assertTrue(first.getProperty("parameters").contains("Seed: 42"));
        if (imp.getStackSize() > 1 && !ImageConversion.isCompositeView(imp)) assertEquals(2, first.getPosition());
        if (!ImageConversion.isCompositeView(imp))
            assertEquals(imp.getProcessor().getClass(), first.getProcessor().getClass(), "layers keep the image type");

        WindowManager.setTempCurrentImage(imp);
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "DiffuseJ inpaint 1 (seed 42)");
        ImageStack applied = imp.getStack().duplicate();
        int changedInside = 0;
        for (int s = 1; s <= before.size(); s++)
            for (int y = 0; y < 40 && y < imp.getHeight(); y++)
                for (int x = 0; x < imp.getWidth(); x++) {
                    boolean inside = imp.getRoi().contains(x, y);
                    float a = before.getProcessor(s).getf(x, y), b = applied.getProcessor(s).getf(x, y);
                    if (!inside) assertEquals(a, b, 0f, "outside the selection nothing changes: slice " + s + " " + x + "," + y);
                    else if (a != b) changedInside++;
                }
        assertTrue(changedInside > 20, "the candidate changed the selection: " + changedInside);
        assertTrue(imp.getProp("parameters").contains("Seed: 42"), "provenance recorded on apply");
        assertTrue(((String) imp.getProperty("Info")).contains("Seed: 42"));

        Undo.undo();
        assertStackEquals(before, imp.getStack(), "Edit > Undo restores every pixel");
        WindowManager.setTempCurrentImage(null);
    }

    /** What Edit › Undo and a macro's run("Undo") do: ImageJ 1's Executer, with its command listeners. */
    private static void editUndo() {
        new Executer("Undo").run();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void undoAfterApplyRestoresTheParametersAndInfoExactlyAndRedoBringsThemBack(String name, Supplier<ImagePlus> make) throws Exception {
        ImagePlus imp = make.get();
        imp.setProperty("Info", "Acquired on the confocal\nObjective: 63x");
        imp.setRoi(new OvalRoi(4, 3, 10, 9));
        ImageStack before = imp.getStack().duplicate();
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "a cell", "seed", 42L, "steps", 2, "candidates", 1,
                "strength", 0.9, "output", "Layers");
        WindowManager.setTempCurrentImage(imp);
        try {
            h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "");
            ImageStack applied = imp.getStack().duplicate();
            String appliedInfo = (String) imp.getProperty("Info");
            assertTrue(appliedInfo.startsWith("Acquired on the confocal\nObjective: 63x\n\nDiffuseJ parameters:\n"), appliedInfo);

            editUndo();
            assertStackEquals(before, imp.getStack(), "Undo restores every pixel");
            assertNull(imp.getImageProperties() == null ? null : imp.getImageProperties().getProperty("parameters"),
                    "the image had no parameters before the apply");
            assertEquals("Acquired on the confocal\nObjective: 63x", imp.getProperty("Info"), "Info exactly as before");

            editUndo(); // ImageJ's Undo toggles single images and stacks (the second one redoes), not composites
            if (stacksEqual(applied, imp.getStack())) {
                assertTrue(imp.getProp("parameters").contains("Seed: 42"), "redone pixels, redone parameters");
                assertEquals(appliedInfo, imp.getProperty("Info"));
            } else {
                assertStackEquals(before, imp.getStack(), "a second Undo either redoes or does nothing");
                assertEquals("Acquired on the confocal\nObjective: 63x", imp.getProperty("Info"));
            }
            if (!(imp instanceof CompositeImage)) assertStackEquals(applied, imp.getStack(), "ImageJ redoes plain images");
        } finally {
            WindowManager.setTempCurrentImage(null);
        }
    }

    @Test
    void undoLeavesTheParametersAloneWhenAnotherEditCameInBetween() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(32, 32));
        imp.setRoi(new OvalRoi(4, 4, 10, 10));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "p", "seed", 5L, "steps", 1, "candidates", 1, "output", "Layers");
        WindowManager.setTempCurrentImage(imp);
        try {
            h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "");
            imp.getProcessor().snapshot();
            Undo.setup(Undo.FILTER, imp);
            imp.getProcessor().invert(); // another filter: Undo now belongs to it
            editUndo();
            assertTrue(imp.getProp("parameters").contains("Seed: 5"), "the candidate is still applied, so are its parameters");
        } finally {
            WindowManager.setTempCurrentImage(null);
        }
    }

    @Test
    void applyingTwiceKeepsOneParametersBlockOfTheLastCandidate() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(32, 32));
        imp.setProperty("Info", "Sample 7");
        imp.setRoi(new OvalRoi(4, 4, 10, 10));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "p", "seed", 5L, "steps", 1, "candidates", 2, "output", "Layers");
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "DiffuseJ inpaint 1 (seed 5)");
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "DiffuseJ inpaint 2 (seed 6)");
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "DiffuseJ inpaint 2 (seed 6)");
        String info = (String) imp.getProperty("Info");
        assertEquals(1, info.split(Provenance.INFO_HEADING, -1).length - 1, info);
        assertEquals("Sample 7\n\n" + Provenance.infoBlock(imp.getProp("parameters")), info);
        assertTrue(imp.getProp("parameters").contains("Seed: 6"));
    }

    @Test
    void newImageOutputKeepsTheTypeAndRecordsParametersPerSlice() throws Exception {
        ShortProcessor sp = new ShortProcessor(32, 32);
        sp.setMinAndMax(0, 1000);
        ImagePlus imp = new ImagePlus("g16", sp);
        imp.getCalibration().pixelWidth = 0.25;
        imp.setRoi(new Roi(8, 8, 16, 16));
        CommandModule m = h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "x", "seed", 7L, "steps", 2,
                "candidates", 3, "output", "New image");
        ImagePlus out = (ImagePlus) m.getOutput("result");
        assertNotNull(out);
        assertEquals(3, out.getStackSize());
        assertEquals(16, out.getBitDepth());
        assertEquals(0.25, out.getCalibration().pixelWidth);
        assertTrue(out.getStack().getSliceLabel(2).startsWith("seed 8\n"));
        assertTrue(Provenance.fromSliceLabel(out.getStack().getSliceLabel(3)).contains("Seed: 9"));
        assertNull(imp.getOverlay());
    }

    @Test
    void restyleOfASelectionPlacesTheLayerOnItsBounds() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(64, 48));
        imp.setRoi(new OvalRoi(20, 10, 16, 24));
        h.run(RestyleImageCommand.class, "imp", imp, "prompt", "p", "seed", 1L, "steps", 2, "candidates", 1, "strength", 0.5);
        assertEquals(Mode.IMG2IMG, engine.lastRequest().mode());
        assertEquals(16, engine.lastRequest().initImage().width());
        assertEquals(null, engine.lastRequest().timestepSpacing(), "Model default: the model's own spacing");
        h.run(RestyleImageCommand.class, "imp", imp, "prompt", "p", "seed", 1L, "steps", 2, "candidates", 1, "strength", 0.5,
                "spacing", "trailing");
        assertEquals("trailing", engine.lastRequest().timestepSpacing());
        assertTrue(((ImageRoi) imp.getOverlay().get(1)).getProperty(Provenance.KEY).contains("Schedule spacing: trailing"),
                "recorded with the layer");
        ImageRoi layer = (ImageRoi) imp.getOverlay().get(0);
        assertEquals(new java.awt.Rectangle(20, 10, 16, 24), layer.getBounds());
    }

    @Test
    void newImageFromPromptIsAnRgbStackOfCandidates() throws Exception {
        CommandModule m = h.run(NewImageFromPromptCommand.class, "prompt", "a tree", "seed", 5L, "steps", 2,
                "width", 64, "height", 32, "candidates", 2);
        ImagePlus out = (ImagePlus) m.getOutput("result");
        assertEquals(24, out.getBitDepth());
        assertEquals(64, out.getWidth());
        assertEquals(2, out.getStackSize());
        assertEquals("a tree", out.getTitle());
        assertTrue(out.getProp("parameters").startsWith("a tree\n"));
        ImageProcessor expected = ImageConversion.toColorProcessor(Picture.PATTERN.draw(engine.lastRequest().toBuilder().build(), 6));
        assertArrayEquals((int[]) expected.getPixels(), (int[]) out.getStack().getProcessor(2).getPixels());
    }

    @Test
    void sixteenBitLayersFlattenToWhatTheyShow() throws Exception {
        ShortProcessor sp = new ShortProcessor(32, 32);
        for (int i = 0; i < sp.getPixelCount(); i++) sp.set(i, i * 40);
        sp.setMinAndMax(0, 40000);
        ImagePlus imp = new ImagePlus("g16", sp);
        imp.setRoi(new Roi(8, 8, 12, 12));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "x", "seed", 4L, "steps", 1, "candidates", 1,
                "strength", 1.0, "output", "Layers");
        ImageRoi layer = (ImageRoi) imp.getOverlay().get(0);
        ImageProcessor flat = imp.flatten().getProcessor();
        RgbImage shown = ImageConversion.toRgb(layer.getProcessor(), new java.awt.Rectangle(0, 0, 12, 12));
        assertEquals(Math.round(shown.get(0, 5, 5) * 255), flat.get(13, 13) >> 16 & 0xff, 1, "flatten burns the layer in as displayed");
        assertEquals(sp.get(13, 13), imp.getProcessor().get(13, 13), "the pixels themselves are untouched");
    }

    @Test
    void applyWithoutLayersIsAMessage() throws Exception {
        ImagePlus imp = new ImagePlus("plain", new ByteProcessor(16, 16));
        ApplyCandidateCommand m = h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "");
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("no DiffuseJ candidate layers"), m.getCancelReason());
        assertTrue(h.problems().isEmpty());
    }

    static boolean stacksEqual(ImageStack a, ImageStack b) {
        if (a.size() != b.size()) return false;
        for (int s = 1; s <= a.size(); s++)
            if (!java.util.Objects.deepEquals(a.getPixels(s), b.getPixels(s))) return false;
        return true;
    }

    static void assertStackEquals(ImageStack a, ImageStack b, String what) {
        assertEquals(a.size(), b.size(), what);
        for (int s = 1; s <= a.size(); s++) {
            Object pa = a.getPixels(s), pb = b.getPixels(s);
            if (pa instanceof byte[] x) assertArrayEquals(x, (byte[]) pb, what + " (slice " + s + ")");
            else if (pa instanceof short[] x) assertArrayEquals(x, (short[]) pb, what + " (slice " + s + ")");
            else if (pa instanceof float[] x) assertArrayEquals(x, (float[]) pb, what + " (slice " + s + ")");
            else assertArrayEquals((int[]) pa, (int[]) pb, what + " (slice " + s + ")");
        }
    }
}
