package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.Undo;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.OvalRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.gui.RotatedRectRoi;
import ij.gui.ShapeRoi;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.DiffusionEngine;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.ModelInfo;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scijava.command.CommandModule;

/**
 * End to end with the real pipeline (PipelineEngineFactory → StableDiffusionModel → Pipeline) on the tiny fixture
 * models, CPU fp32: ImagePlus + ROI in, layers / new images out, through the CommandService.
 */
class RealEngineCommandsTest {
    private final AtomicInteger steps = new AtomicInteger();
    private final CommandHarness h = new CommandHarness(settings -> counting(new PipelineEngineFactory().open(settings)));

    @AfterEach
    void close() { h.close(); }

    /** The real engine, counting the steps it reports (to cancel mid-run at a known point). */
    private DiffusionEngine counting(DiffusionEngine real) {
        return new DiffusionEngine() {
            @Override
            public Result generate(Request r, ProgressListener l, CancellationToken t) throws DiffusionException {
                return real.generate(r, p -> { steps.incrementAndGet(); l.onProgress(p); }, t);
            }
            @Override public ModelInfo model() { return real.model(); }
            @Override public void close() { real.close(); }
        };
    }

    /** A fixture model by its diffusers folder (the tiny models' head counts are in its configs). */
    private void use(String variant) {
        h.diffusion.configure(new EngineSettings(Fixtures.diffusersDir(variant).toString(), "cpu", "fp32"));
    }

    static Stream<Arguments> images() {
        return InpaintAndApplyTest.images();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void inpaintApplyUndoOnEveryImageType(String name, Supplier<ImagePlus> make) throws Exception {
        use("sd1-inpaint-tiny");
        ImagePlus imp = make.get();
        imp.setRoi(new OvalRoi(4, 3, 12, 10));
        ImageStack before = imp.getStack().duplicate();
        CommandModule m = h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "a cell", "seed", 42L, "steps", 2,
                "candidates", 1, "strength", 1.0, "blur", 0, "output", "Layers");
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertTrue(h.problems().isEmpty(), h.problems().toString());
        InpaintAndApplyTest.assertStackEquals(before, imp.getStack(), "layers leave the original alone");
        ImageRoi layer = (ImageRoi) imp.getOverlay().get(0);
        assertTrue(new Rectangle(4, 3, 12, 10).contains(layer.getBounds()), "the layer stays on the selection: " + layer.getBounds());
        assertTrue(layer.getProperty("parameters").contains("Steps: 2, Sampler: Euler a"), layer.getProperty("parameters"));

        WindowManager.setTempCurrentImage(imp);
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "");
        ImageStack applied = imp.getStack().duplicate();
        int changed = 0;
        for (int s = 1; s <= before.size(); s++)
            for (int y = 0; y < imp.getHeight(); y++)
                for (int x = 0; x < imp.getWidth(); x++) {
                    float a = before.getProcessor(s).getf(x, y), b = applied.getProcessor(s).getf(x, y);
                    if (!imp.getRoi().contains(x, y)) assertEquals(a, b, 0f, "outside " + x + "," + y + " slice " + s);
                    else if (a != b) changed++;
                }
        assertTrue(changed > 10, "the selection was repainted: " + changed);
        Undo.undo();
        InpaintAndApplyTest.assertStackEquals(before, imp.getStack(), "Undo restores the original");
        WindowManager.setTempCurrentImage(null);
    }

    static Stream<Arguments> selections() {
        return Stream.of(Arguments.of("rectangle", new Roi(8, 6, 20, 14)), Arguments.of("oval", new OvalRoi(8, 6, 20, 14)),
                Arguments.of("polygon", new PolygonRoi(new int[] {8, 30, 12}, new int[] {6, 10, 24}, 3, Roi.POLYGON)),
                Arguments.of("freehand", new PolygonRoi(new int[] {8, 20, 30, 26, 10}, new int[] {8, 5, 12, 24, 20}, 5, Roi.FREEROI)),
                Arguments.of("composite", new ShapeRoi(new Roi(4, 4, 10, 10)).or(new ShapeRoi(new OvalRoi(24, 20, 14, 12)))),
                Arguments.of("rotated rectangle", new RotatedRectRoi(8, 20, 36, 10, 8)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selections")
    void everySelectionTypeIsInpaintedInsideItself(String name, Roi roi) throws Exception {
        use("sd1-inpaint-tiny");
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(48, 40));
        imp.setRoi(roi);
        CommandModule m = h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "x", "seed", 3L, "steps", 1,
                "candidates", 1, "strength", 1.0, "blur", 0, "output", "Layers");
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImageRoi layer = (ImageRoi) imp.getOverlay().get(0);
        assertTrue(roi.getBounds().contains(layer.getBounds()), name + ": " + layer.getBounds() + " in " + roi.getBounds());
    }

    @Test
    void cancelMidRunStopsTheRealPipeline() throws Exception {
        use("sd1-tiny");
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(64, 64));
        h.diffusion.model(); // load first, so the run below is all denoising
        Future<CommandModule> f = h.commands.run(RestyleImageCommand.class, true, "imp", imp, "prompt", "x", "seed", 1L,
                "steps", 1000, "strength", 1.0, "candidates", 1, "area", "Whole image");
        long t0 = System.nanoTime();
        while (steps.get() < 2 && System.nanoTime() - t0 < 60e9) Thread.sleep(2);
        h.diffusion.cancelRunning();
        CommandModule m = f.get(60, TimeUnit.SECONDS);
        assertTrue(m.isCanceled(), "cancelled");
        assertTrue(m.getCancelReason().contains("cancelled"), m.getCancelReason());
        assertTrue(steps.get() < 1000, "stopped early: " + steps.get() + " steps");
        assertEquals(null, imp.getOverlay());
        assertTrue(h.problems().isEmpty());
    }

    @Test
    void provenanceParsedBackRegeneratesIdenticalPixels() throws Exception {
        use("sd1-tiny");
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(48, 40));
        imp.setRoi(new OvalRoi(6, 5, 24, 18));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "moss, (green:1.2)", "negative", "text", "seed", 77L,
                "steps", 3, "sampler", "DPM++ 2M Karras", "cfg", 6.5, "candidates", 2, "strength", 0.8, "blur", 2,
                "fill", "original", "area", "Whole picture", "output", "Layers");
        ImageRoi second = (ImageRoi) imp.getOverlay().get(1);
        String record = second.getProperty(Provenance.KEY);
        assertTrue(record.contains("Seed: 78,"), record);
        Request again = Provenance.requestFrom(record, Mode.INPAINT).initImage(ImageConversion.toRgb(imp))
                .mask(ImageConversion.toMask(imp.getRoi(), 48, 40)).build();
        Result rerun = h.diffusion.generate(again, ProgressListener.NONE, new CancellationToken());
        Rectangle b = second.getBounds();
        RgbImage expected = rerun.images().get(0).crop(b.x, b.y, b.width, b.height);
        assertArrayEquals((byte[]) ImageConversion.toProcessorLike(expected, imp).getPixels(), (byte[]) second.getProcessor().getPixels(),
                "identical pixels from the parsed record");
        assertEquals(record, rerun.infotexts().get(0), "and the same record");
    }

    @Test
    void augmentationIsReproducibleFromEachSliceLabel() throws Exception {
        use("sd1-tiny");
        ImagePlus src = AugmentAndExtendTest.stack16();
        CommandModule m = h.run(AugmentCommand.class, "imp", src, "prompt", "cells", "seed", 5L, "steps", 4, "variants", 2,
                "strength", 0.5, "sampler", "Euler a");
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus out = (ImagePlus) m.getOutput("result");
        assertEquals(16, out.getBitDepth());
        assertEquals(6, out.getStackSize());
        String label = out.getStack().getSliceLabel(5); // variant 2 of plane 2
        ImageProcessor plane = Augmentation.displayedPlane(src, 2);
        Request again = Provenance.requestFrom(Provenance.fromSliceLabel(label), Mode.IMG2IMG)
                .initImage(ImageConversion.toRgb(plane, new Rectangle(0, 0, 24, 16))).build();
        Result rerun = h.diffusion.generate(again, ProgressListener.NONE, new CancellationToken());
        assertArrayEquals((short[]) ImageConversion.toProcessorLike(rerun.images().get(0), plane).getPixels(),
                (short[]) out.getStack().getPixels(5));
        assertNotEquals(out.getStack().getProcessor(5).get(3, 3), src.getStack().getProcessor(2).get(3, 3));
    }

    @Test
    void newImageExtendCanvasAndDream() throws Exception {
        use("sd1-tiny");
        CommandModule a = h.run(NewImageFromPromptCommand.class, "prompt", "a tree", "seed", 11L, "steps", 3, "sampler", "Euler",
                "width", 32, "height", 32, "candidates", 1);
        ImagePlus fromA = (ImagePlus) a.getOutput("result");
        ImagePlus fromB = (ImagePlus) h.run(NewImageFromPromptCommand.class, "prompt", "a tree", "seed", 12L, "steps", 3,
                "sampler", "Euler", "width", 32, "height", 32, "candidates", 1).getOutput("result");
        CommandModule d = h.run(DreamCommand.class, "prompt", "a tree", "seed", 11L, "seed2", 12L, "frames", 3, "steps", 3,
                "sampler", "Euler", "width", 32, "height", 32);
        assertFalse(d.isCanceled(), d.getCancelReason());
        ImagePlus walk = (ImagePlus) d.getOutput("result");
        assertEquals(3, walk.getStackSize());
        assertArrayEquals((int[]) fromA.getProcessor().getPixels(), (int[]) walk.getStack().getPixels(1), "t = 0 is seed A");
        int[] end = (int[]) walk.getStack().getPixels(3), b = (int[]) fromB.getProcessor().getPixels();
        for (int i = 0; i < end.length; i++)
            for (int sh = 0; sh <= 16; sh += 8) // t = 1 is seed B up to slerp's float rounding: 2 levels of 255
                assertEquals((b[i] >> sh) & 0xff, (end[i] >> sh) & 0xff, 2, "pixel " + i);
        assertTrue(walk.getStack().getSliceLabel(2).contains("Variation seed: 12, Variation seed strength: 0.5"));

        ImagePlus small = new ImagePlus("g8", ImageConversionTest.ramp8(32, 24));
        CommandModule e = h.run(ExtendCanvasCommand.class, "imp", small, "prompt", "more", "seed", 2L, "steps", 2,
                "left", 0, "right", 16, "top", 8, "bottom", 0, "blur", 0, "candidates", 1);
        assertFalse(e.isCanceled(), e.getCancelReason());
        ImagePlus ext = (ImagePlus) e.getOutput("result");
        assertEquals(48, ext.getWidth());
        assertEquals(32, ext.getHeight());
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 32; x++)
                assertEquals(small.getProcessor().get(x, y), ext.getProcessor().get(x, y + 8), "original kept at " + x + "," + y);
    }

    @Test
    void theScriptedInpaintMacroRunsOnTheRealEngine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        use("sd1-inpaint-tiny");
        MacroCommandShim.install(h.context);
        ImagePlus src = new ImagePlus("photo", ImageConversionTest.ramp8(48, 40));
        String file = dir.resolve("photo.tif").toString(), output = dir.resolve("out.tif").toString();
        ij.IJ.saveAsTiff(src, file);
        String r = ij.IJ.runMacroFile(MacroExamplesTest.MACROS.resolve("Scripted_Inpaint.ijm").toAbsolutePath().toString(),
                "file=[" + file + "] output=[" + output + "] x=8 y=6 width=24 height=20 prompt=[a flower] seed=42 steps=2");
        assertNotEquals("[aborted]", r);
        assertTrue(MacroCommandShim.refusals.isEmpty(), MacroCommandShim.refusals.toString());
        ImagePlus out = ij.IJ.openImage(output);
        assertTrue(out.getProp("parameters").contains("Seed: 42,"), out.getProp("parameters"));
        assertEquals(2, CandidateLayers.names(out).size(), "both candidates stay as layers");
        assertEquals("true", out.getProp("DiffuseJ.synthetic"), "the applied candidate is marked as synthetic content");
    }

    @Test
    void engineRefusalsAreMessages() throws Exception {
        use("sd1-tiny");
        CommandModule m = h.run(NewImageFromPromptCommand.class, "prompt", "x", "sampler", "No Such Sampler", "width", 32, "height", 32);
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().toLowerCase().contains("sampler"), m.getCancelReason());
        assertTrue(h.problems().isEmpty(), h.problems().toString());
        h.diffusion.configure(new EngineSettings("/nonexistent/model.safetensors", "cpu", "fp32"));
        CommandModule n = h.run(NewImageFromPromptCommand.class, "prompt", "x", "width", 32, "height", 32);
        assertTrue(n.isCanceled());
        assertTrue(n.getCancelReason().contains("/nonexistent/model.safetensors"), n.getCancelReason());
    }
}
