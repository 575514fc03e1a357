package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Executer;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.io.FileSaver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.diffusej.engine.infotext.Infotext;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.scijava.command.CommandModule;

/** Applied and new generated pixels are marked: an exact ROI, a flag with seed/model hash/sampler, TIFF round trip, Undo. */
class SyntheticContentTest {
    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        WindowManager.setTempCurrentImage(null);
        h.close();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> images() {
        return InpaintAndApplyTest.images();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void applyMarksExactlyTheChangedPixelsAndUndoRemovesTheMarks(String name, Supplier<ImagePlus> make) throws Exception {
        ImagePlus imp = make.get();
        imp.setRoi(new OvalRoi(4, 3, 14, 11));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "a cell", "seed", 42L, "steps", 2, "candidates", 2,
                "strength", 0.9, "blur", 0, "output", "Layers");
        ImageStack before = imp.getStack().duplicate();
        ImageRoi layer = (ImageRoi) imp.getOverlay().get(0);
        assertFalse(SyntheticContent.isSynthetic(imp), "layers alone change no pixel");
        WindowManager.setTempCurrentImage(imp);
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", layer.getName());

        List<Roi> marks = SyntheticContent.rois(imp);
        assertEquals(1, marks.size());
        Roi mark = marks.get(0);
        assertEquals("DiffuseJ synthetic: " + layer.getName(), mark.getName());
        int changed = 0;
        for (int y = 0; y < imp.getHeight(); y++)
            for (int x = 0; x < imp.getWidth(); x++) {
                boolean differs = false;
                for (int s = 1; s <= before.size(); s++)
                    differs |= before.getProcessor(s).get(x, y) != imp.getStack().getProcessor(s).get(x, y);
                if (differs) changed++;
                assertEquals(differs, mark.contains(x, y), "the ROI holds exactly the changed pixels, at " + x + "," + y);
            }
        assertTrue(changed > 20, "the candidate changed pixels: " + changed);

        Map<String, Object> recorded = Infotext.parse(layer.getProperty(Provenance.KEY));
        assertEquals("true", imp.getProp(SyntheticContent.FLAG));
        assertEquals("42", imp.getProp(SyntheticContent.SEEDS));
        assertEquals(String.valueOf(recorded.get("Model hash")), imp.getProp(SyntheticContent.MODEL_HASHES));
        assertEquals(String.valueOf(recorded.get("Sampler")), imp.getProp(SyntheticContent.SAMPLERS));
        assertEquals(mark.getName(), imp.getProp(SyntheticContent.REGIONS));

        new Executer("Undo").run(); // Edit › Undo, as a macro's run("Undo")
        InpaintAndApplyTest.assertStackEquals(before, imp.getStack(), "Undo restores the pixels");
        assertEquals(List.of(), SyntheticContent.rois(imp), "Undo removes the synthetic-pixel ROI");
        assertFalse(SyntheticContent.isSynthetic(imp), "and the flag");
        for (String key : SyntheticContent.FIELDS) assertNull(SyntheticContent.fields(imp).get(key), key);
        assertEquals(2, CandidateLayers.names(imp).size(), "the candidate layers stay");
    }

    @Test
    void theFlagAndTheRoiSurviveSavingAsTiff() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(48, 40));
        imp.setRoi(new OvalRoi(6, 5, 20, 16));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "moss", "seed", 7L, "steps", 2, "candidates", 2, "output", "Layers");
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "DiffuseJ inpaint 1 (seed 7)");
        h.run(ApplyCandidateCommand.class, "imp", imp, "layer", "DiffuseJ inpaint 2 (seed 8)");
        Roi second = SyntheticContent.rois(imp).get(1);
        String file = dir.resolve("marked.tif").toString();
        assertTrue(new FileSaver(imp).saveAsTiff(file));

        ImagePlus back = IJ.openImage(file);
        assertNotNull(back);
        assertTrue(SyntheticContent.isSynthetic(back));
        assertEquals("7; 8", back.getProp(SyntheticContent.SEEDS), "one entry per applied region, in order");
        assertEquals(imp.getProp(SyntheticContent.MODEL_HASHES), back.getProp(SyntheticContent.MODEL_HASHES));
        assertEquals(imp.getProp(SyntheticContent.SAMPLERS), back.getProp(SyntheticContent.SAMPLERS));
        assertEquals(imp.getProp(SyntheticContent.REGIONS), back.getProp(SyntheticContent.REGIONS));
        Roi reopened = back.getOverlay().get(back.getOverlay().getIndex(second.getName()));
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 48; x++) assertEquals(second.contains(x, y), reopened.contains(x, y), x + "," + y);
    }

    @Test
    void newImagesAreFlaggedWhole() throws Exception {
        CommandModule m = h.run(NewImageFromPromptCommand.class, "prompt", "a tree", "seed", 5L, "steps", 1,
                "width", 32, "height", 32, "candidates", 2);
        ImagePlus out = (ImagePlus) m.getOutput("result");
        assertTrue(SyntheticContent.isSynthetic(out));
        assertEquals("5; 6", out.getProp(SyntheticContent.SEEDS));
        assertEquals(SyntheticContent.WHOLE_IMAGE + "; " + SyntheticContent.WHOLE_IMAGE, out.getProp(SyntheticContent.REGIONS));
    }
}
