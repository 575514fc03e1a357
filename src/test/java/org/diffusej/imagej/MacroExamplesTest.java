package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.OvalRoi;
import ij.process.ColorProcessor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example macros (plugin-resources/scripts/Plugins/DiffuseJ/Examples, copied in examples/) run for real in
 * ImageJ 1's macro interpreter, headless, with their run("…") lines reaching the SciJava commands through
 * {@link MacroCommandShim}.
 */
class MacroExamplesTest {
    static final Path MACROS = Path.of("plugin-resources/scripts/Plugins/DiffuseJ/Examples");

    private final FakeEngine engine = CommandHarness.fakeEngine();
    private CommandHarness h;

    @BeforeEach
    void setUp() {
        h = new CommandHarness(s -> engine);
        MacroCommandShim.install(h.context);
    }

    @AfterEach
    void close() { h.close(); }

    private static String run(String macro, String args) {
        String result = IJ.runMacroFile(MACROS.resolve(macro).toAbsolutePath().toString(), args);
        assertNotEquals("[aborted]", result, "the macro aborted");
        return result;
    }

    @Test
    void examplesFolderHoldsTheSameMacros() throws Exception {
        for (String name : new String[] {"Batch_Restyle_Folder.ijm", "Augment_Stack.ijm", "Scripted_Inpaint.ijm"})
            assertArrayEquals(Files.readAllBytes(MACROS.resolve(name)), Files.readAllBytes(Path.of("examples", name)), name);
    }

    @Test
    void batchRestyleOfAFolder(@TempDir Path dir) throws Exception {
        File in = dir.resolve("in").toFile(), out = dir.resolve("out").toFile();
        in.mkdirs();
        out.mkdirs();
        IJ.saveAsTiff(new ImagePlus("grey", ImageConversionTest.ramp8(32, 24)), new File(in, "grey.tif").getPath());
        ColorProcessor cp = new ColorProcessor(24, 16);
        cp.setColor(java.awt.Color.ORANGE);
        cp.fill();
        new ij.io.FileSaver(new ImagePlus("colour", cp)).saveAsPng(new File(in, "colour.png").getPath());

        run("Batch_Restyle_Folder.ijm", "input=[" + in + "] output=[" + out + "] prompt=[oil painting] strength=0.6 seed=9 steps=2");
        assertTrue(MacroCommandShim.refusals.isEmpty(), MacroCommandShim.refusals.toString());
        assertEquals(2, engine.requests().size());
        ImagePlus grey = IJ.openImage(new File(out, "grey-restyled.tif").getPath());
        assertNotNull(grey, "grey-restyled.tif written");
        assertEquals(8, grey.getBitDepth());
        assertTrue(grey.getProp("parameters").startsWith("oil painting\nSteps: 2, "), grey.getProp("parameters"));
        assertTrue(grey.getProp("parameters").contains("Seed: 9,"));
        assertTrue(grey.getProp("parameters").contains("Denoising strength: 0.6"));
        ImagePlus colour = IJ.openImage(new File(out, "colour-restyled.tif").getPath());
        assertEquals(24, colour.getBitDepth());
        assertEquals(0.6, engine.lastRequest().strength());
    }

    @Test
    void stackAugmentation(@TempDir Path dir) throws Exception {
        ImagePlus stack = AugmentAndExtendTest.stack16();
        String file = dir.resolve("cells.tif").toString(), output = dir.resolve("cells-augmented.tif").toString();
        IJ.saveAsTiff(stack, file);
        run("Augment_Stack.ijm", "file=[" + file + "] output=[" + output + "] variants=2 strength=0.3 seed=100 steps=1");
        assertTrue(MacroCommandShim.refusals.isEmpty(), MacroCommandShim.refusals.toString());
        ImagePlus out = IJ.openImage(output);
        assertEquals(6, out.getStackSize());
        assertEquals(16, out.getBitDepth());
        assertEquals(0.2, out.getCalibration().pixelWidth, 1e-9);
        assertTrue(out.getStack().getSliceLabel(1).startsWith("cells.tif: z0 variant 1 seed 100\n"), out.getStack().getSliceLabel(1));
        assertTrue(out.getStack().getSliceLabel(1).contains("Denoising strength: 0.3"));
    }

    @Test
    void scriptedInpaintAppliesTheFirstCandidate(@TempDir Path dir) throws Exception {
        ImagePlus src = new ImagePlus("photo", ImageConversionTest.ramp8(64, 48));
        String file = dir.resolve("photo.tif").toString(), output = dir.resolve("photo-inpainted.tif").toString();
        IJ.saveAsTiff(src, file);
        run("Scripted_Inpaint.ijm", "file=[" + file + "] output=[" + output + "] x=10 y=8 width=30 height=20 prompt=[a flower] seed=42 steps=2");
        assertTrue(MacroCommandShim.refusals.isEmpty(), MacroCommandShim.refusals.toString());
        assertEquals(2, engine.lastRequest().batchCount());
        assertEquals("a flower", engine.lastRequest().prompt());
        ImagePlus out = IJ.openImage(output);
        OvalRoi oval = new OvalRoi(10, 8, 30, 20);
        int changed = 0;
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++) {
                int a = src.getProcessor().get(x, y), b = out.getProcessor().get(x, y);
                if (!oval.contains(x, y)) assertEquals(a, b, "outside the oval " + x + "," + y);
                else if (a != b) changed++;
            }
        assertTrue(changed > 100, "inside the oval the candidate was applied: " + changed);
        assertTrue(out.getProp("parameters").contains("Seed: 42,"));
        assertEquals(2, CandidateLayers.names(out).size(), "both candidates stay as layers in the saved TIFF");
        assertEquals(1, SyntheticContent.rois(out).size(), "with the ROI of the applied pixels");
    }

    @Test
    void aMacroOnAnImageWithoutSelectionGetsTheMessage() {
        ImageStack s = new ImageStack(32, 32);
        s.addSlice(ImageConversionTest.ramp8(32, 32));
        IJ.runMacro("setBatchMode(true); newImage('x', '8-bit ramp', 32, 32, 1); run('Inpaint Selection...', 'prompt=[a] seed=1');");
        assertEquals(1, MacroCommandShim.refusals.size());
        assertTrue(MacroCommandShim.refusals.get(0).contains("no selection"));
        assertEquals(0, engine.requests().size());
    }
}
