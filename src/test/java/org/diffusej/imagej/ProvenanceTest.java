package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.OvalRoi;
import java.awt.Rectangle;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mask;
import org.diffusej.engine.MaskedContent;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.Result;
import org.diffusej.engine.RgbImage;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The recorded A1111 parameters read back into a request that regenerates the same pixels. */
class ProvenanceTest {
    private final FakeEngine engine = CommandHarness.fakeEngine();
    private final CommandHarness h = new CommandHarness(s -> engine);

    @AfterEach
    void close() { h.close(); }

    @Test
    void everyRecordedParameterComesBack() throws Exception {
        Request r = Request.builder(Mode.INPAINT).prompt("a (red:1.2) cat, night").negativePrompt("blurry, lowres")
                .size(64, 48).steps(13).sampler("DPM++ 2M").scheduler("Karras").cfgScale(5.5).seed(987654321L).strength(0.6)
                .maskBlur(0).onlyMasked(true).onlyMaskedPadding(24).maskedContent(MaskedContent.LATENT_NOISE)
                .invertMask(true).clipSkip(2).timestepSpacing("trailing").mask(Mask.filled(64, 48, 1f)).build();
        String text = org.diffusej.engine.infotext.Infotext.of(r, 987654321L, engine.model());
        Request back = Provenance.requestFrom(text, Mode.INPAINT).mask(r.mask()).build();
        assertEquals(r, back);
    }

    @Test
    void unreadableNumbersAreAMessage() {
        assertThrows(UnsuitableImageException.class, () -> Provenance.requestFrom("x\nSteps: many, Sampler: Euler, Seed: 1", Mode.TXT2IMG));
    }

    @Test
    void aLayerIsRegeneratedFromItsRecordAlone() throws Exception {
        ImagePlus imp = new ImagePlus("g8", ImageConversionTest.ramp8(48, 40));
        imp.setRoi(new OvalRoi(6, 5, 20, 16));
        h.run(InpaintSelectionCommand.class, "imp", imp, "prompt", "moss, (green:1.1)", "negative", "text", "seed", 31L,
                "steps", 3, "sampler", "Euler", "cfg", 6.5, "candidates", 2, "strength", 0.8, "blur", 0, "fill", "original",
                "area", "Whole picture", "output", "Layers");
        ImageRoi second = (ImageRoi) imp.getOverlay().get(1);

        Request again = Provenance.requestFrom(second.getProperty(Provenance.KEY), Mode.INPAINT)
                .initImage(ImageConversion.toRgb(imp)).mask(ImageConversion.toMask(imp.getRoi(), 48, 40)).build();
        assertEquals(32L, again.seed());
        Result rerun = h.diffusion.generate(again, ProgressListener.NONE, new CancellationToken());
        Rectangle b = second.getBounds();
        RgbImage expected = rerun.images().get(0).crop(b.x, b.y, b.width, b.height);
        assertArrayEquals((byte[]) ImageConversion.toProcessorLike(expected, imp).getPixels(), (byte[]) second.getProcessor().getPixels());
    }
}
