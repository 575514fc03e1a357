package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.awt.Rectangle;
import java.io.File;
import java.nio.file.Path;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.testing.FakeEngine;
import org.diffusej.testing.Picture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.command.CommandModule;

/** Augment (stack and folder) and Extend Canvas through the CommandService, on the pattern engine. */
class AugmentAndExtendTest {
    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() { h.close(); }

    static ImagePlus stack16() {
        ImageStack s = new ImageStack(24, 16);
        for (int z = 0; z < 3; z++) {
            ShortProcessor sp = new ShortProcessor(24, 16);
            for (int i = 0; i < sp.getPixelCount(); i++) sp.set(i, 100 * z + i * 11);
            s.addSlice("z" + z, sp);
        }
        ImagePlus imp = new ImagePlus("cells", s);
        imp.getProcessor().setMinAndMax(0, 5000);
        imp.getCalibration().pixelWidth = 0.2;
        imp.getCalibration().setUnit("µm");
        return imp;
    }

    @Test
    void stackAugmentationKeepsTypeAndCalibrationAndRecordsEverySlice() throws Exception {
        ImagePlus src = stack16();
        CommandModule m = h.run(AugmentCommand.class, "imp", src, "prompt", "microscopy", "seed", 100L, "steps", 2,
                "variants", 2, "strength", 0.25);
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus out = (ImagePlus) m.getOutput("result");
        assertEquals(6, out.getStackSize());
        assertEquals(16, out.getBitDepth());
        assertEquals(0.2, out.getCalibration().pixelWidth);
        assertEquals("µm", out.getCalibration().getUnit());
        assertArrayEquals(new int[] {24, 16, 1, 3, 2}, out.getDimensions(), "variants stacked along time");
        // variant 2 of plane 3 = slice 3 + 3: seed 100 + (3-1)*2 + 1
        String label = out.getStack().getSliceLabel(6);
        assertTrue(label.startsWith("cells: z2 variant 2 seed 105\n"), label);
        assertTrue(Provenance.fromSliceLabel(label).contains("Seed: 105,"));
        assertTrue(Provenance.fromSliceLabel(label).contains("Denoising strength: 0.25"));
        // pixels are what the engine made from that plane with that seed, in the plane's type
        ImageProcessor plane = Augmentation.displayedPlane(src, 3);
        Request again = Request.builder(Mode.IMG2IMG).initImage(ImageConversion.toRgb(plane, new Rectangle(0, 0, 24, 16)))
                .strength(0.25).steps(2).build();
        ImageProcessor expected = ImageConversion.toProcessorLike(Picture.PATTERN.draw(again, 105), plane);
        assertArrayEquals((short[]) expected.getPixels(), (short[]) out.getStack().getPixels(6));
        assertNotEquals(out.getStack().getProcessor(6).get(5, 5), src.getStack().getProcessor(3).get(5, 5));
    }

    @Test
    void folderAugmentationWritesOneTiffPerImage(@TempDir Path dir) throws Exception {
        File in = dir.resolve("in").toFile(), outDir = dir.resolve("out").toFile();
        in.mkdirs();
        ImagePlus a = new ImagePlus("a", ImageConversionTest.ramp8(16, 16));
        a.getCalibration().pixelWidth = 0.5;
        IJ.saveAsTiff(a, new File(in, "a.tif").getPath());
        FloatProcessor fp = new FloatProcessor(16, 8);
        for (int i = 0; i < 128; i++) fp.setf(i, i / 128f);
        IJ.saveAsTiff(new ImagePlus("b", fp), new File(in, "b.tif").getPath());
        new File(in, "notes.txt").createNewFile();

        CommandModule m = h.run(AugmentCommand.class, "input", in, "output", outDir, "prompt", "p", "seed", 1L,
                "steps", 1, "variants", 3, "strength", 0.2);
        assertFalse(m.isCanceled(), m.getCancelReason());
        assertEquals(java.util.List.of("a-augmented.tif", "b-augmented.tif"),
                java.util.Arrays.stream(outDir.list()).sorted().toList(), "one TIFF per readable image, nothing else");
        ImagePlus ra = IJ.openImage(new File(outDir, "a-augmented.tif").getPath());
        assertEquals(8, ra.getBitDepth());
        assertEquals(3, ra.getStackSize());
        assertEquals(0.5, ra.getCalibration().pixelWidth, 1e-9);
        assertTrue(ra.getStack().getSliceLabel(2).contains("Seed: 2"), "labels survive the TIFF");
        ImagePlus rb = IJ.openImage(new File(outDir, "b-augmented.tif").getPath());
        assertEquals(32, rb.getBitDepth());
    }

    @Test
    void folderWithoutImagesIsAMessage(@TempDir Path dir) throws Exception {
        CommandModule m = h.run(AugmentCommand.class, "input", dir.toFile(), "output", dir.resolve("o").toFile(), "prompt", "p");
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("no image"), m.getCancelReason());
        assertTrue(h.problems().isEmpty());
    }

    @Test
    void extendCanvasGeneratesOnlyTheNewBorder() throws Exception {
        ByteProcessor bp = ImageConversionTest.ramp8(32, 24);
        ImagePlus imp = new ImagePlus("small", bp);
        CommandModule m = h.run(ExtendCanvasCommand.class, "imp", imp, "prompt", "more", "seed", 3L, "steps", 1,
                "left", 8, "right", 16, "top", 0, "bottom", 8, "candidates", 1);
        assertFalse(m.isCanceled(), m.getCancelReason());
        ImagePlus out = (ImagePlus) m.getOutput("result");
        assertEquals(56, out.getWidth());
        assertEquals(32, out.getHeight());
        assertEquals(8, out.getBitDepth());
        assertEquals(Mode.INPAINT, engine.lastRequest().mode());
        ImageProcessor ip = out.getProcessor();
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 32; x++) assertEquals(bp.get(x, y), ip.get(x + 8, y), "the original is kept exactly");
        int differ = 0;
        for (int y = 0; y < 32; y++) if (ip.get(50, y) != bp.get(31, Math.min(23, y))) differ++;
        assertTrue(differ > 10, "the new right border is generated, not just stretched: " + differ);
    }

    @Test
    void extendCanvasNeedsASide() throws Exception {
        CommandModule m = h.run(ExtendCanvasCommand.class, "imp", new ImagePlus("x", new ByteProcessor(16, 16)), "prompt", "p",
                "left", 0, "right", 0, "top", 0, "bottom", 0);
        assertTrue(m.isCanceled());
        assertTrue(m.getCancelReason().contains("at least one side"));
    }
}
