package org.diffusej.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Line;
import ij.gui.OvalRoi;
import ij.gui.PointRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import ij.plugin.LutLoader;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import ij.process.ShortProcessor;
import java.awt.Rectangle;
import org.diffusej.engine.Mask;
import org.diffusej.engine.RgbImage;
import org.junit.jupiter.api.Test;

/** ImagePlus/ROI ⇄ RgbImage/Mask for every image type and selection type. */
class ImageConversionTest {

    static ByteProcessor ramp8(int w, int h) {
        ByteProcessor bp = new ByteProcessor(w, h);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) bp.set(x, y, (x * 7 + y * 3) & 0xff);
        return bp;
    }

    @Test
    void eightBitGreyRoundTripIsExact() {
        ByteProcessor bp = ramp8(40, 30);
        ImagePlus imp = new ImagePlus("g8", bp);
        RgbImage rgb = ImageConversion.toRgb(imp);
        assertEquals(bp.get(5, 6) / 255f, rgb.get(1, 5, 6), 1e-6);
        ImageProcessor back = ImageConversion.toProcessorLike(rgb, imp);
        assertTrue(back instanceof ByteProcessor);
        assertArrayEquals((byte[]) bp.getPixels(), (byte[]) back.getPixels());
    }

    @Test
    void eightBitWithColourLutGoesThroughTheLutAndBackToTheSameColours() {
        ByteProcessor bp = ramp8(32, 32);
        bp.setLut(LUT.createLutFromColor(java.awt.Color.GREEN));
        ImagePlus imp = new ImagePlus("green", bp);
        RgbImage rgb = ImageConversion.toRgb(imp);
        assertEquals(0f, rgb.get(0, 3, 4), 0f);
        assertEquals(bp.get(3, 4) / 255f, rgb.get(1, 3, 4), 1e-6);
        ImageProcessor back = ImageConversion.toProcessorLike(rgb, imp);
        assertArrayEquals((byte[]) bp.getPixels(), (byte[]) back.getPixels());
        assertEquals(bp.getLut().getRGB(200), back.getLut().getRGB(200));
    }

    @Test
    void invertedLutIsInvertedBothWays() {
        ByteProcessor bp = ramp8(16, 16);
        bp.invertLut();
        ImagePlus imp = new ImagePlus("inv", bp);
        RgbImage rgb = ImageConversion.toRgb(imp);
        assertEquals(1f - bp.get(2, 2) / 255f, rgb.get(0, 2, 2), 1e-6);
        assertArrayEquals((byte[]) bp.getPixels(), (byte[]) ImageConversion.toProcessorLike(rgb, imp).getPixels());
    }

    @Test
    void sixteenBitGoesThroughTheDisplayRangeWithoutEightBitQuantisation() {
        ShortProcessor sp = new ShortProcessor(20, 20);
        for (int i = 0; i < 400; i++) sp.set(i, 1000 + i * 10);
        sp.setMinAndMax(1000, 4990);
        ImagePlus imp = new ImagePlus("g16", sp);
        RgbImage rgb = ImageConversion.toRgb(imp);
        assertEquals((1000 + 17 * 10 - 1000) / 3990f, rgb.get(0, 17, 0), 1e-6);
        ImageProcessor back = ImageConversion.toProcessorLike(rgb, imp);
        assertTrue(back instanceof ShortProcessor);
        for (int i = 0; i < 400; i++) assertEquals(sp.get(i), back.get(i), 0, "pixel " + i); // float path: exact after rounding
        assertEquals(1000, back.getMin(), 0);
        assertEquals(4990, back.getMax(), 0);
    }

    @Test
    void thirtyTwoBitRoundTripWithinFloatPrecision() {
        FloatProcessor fp = new FloatProcessor(10, 10);
        for (int i = 0; i < 100; i++) fp.setf(i, -2f + i * 0.037f);
        fp.setMinAndMax(-2, 1.7);
        ImagePlus imp = new ImagePlus("f32", fp);
        ImageProcessor back = ImageConversion.toProcessorLike(ImageConversion.toRgb(imp), imp);
        assertTrue(back instanceof FloatProcessor);
        for (int i = 0; i < 100; i++) assertEquals(fp.getf(i), back.getf(i), 1e-5f, "pixel " + i); // tolerance: float32 of (v-min)/(max-min)
    }

    @Test
    void rgbRoundTripIsExact() {
        ColorProcessor cp = new ColorProcessor(16, 8);
        for (int i = 0; i < 128; i++) cp.set(i, (i * 2) << 16 | (255 - i) << 8 | (i * 3) & 0xff);
        ImagePlus imp = new ImagePlus("rgb", cp);
        RgbImage rgb = ImageConversion.toRgb(imp);
        assertEquals(((cp.get(5) >> 16) & 0xff) / 255f, rgb.get(0, 5, 0), 1e-6);
        assertArrayEquals((int[]) cp.getPixels(), (int[]) ImageConversion.toProcessorLike(rgb, imp).getPixels());
    }

    /** A 3-channel red/green/blue 16-bit composite shown blended. */
    static CompositeImage composite() {
        ImageStack s = new ImageStack(16, 16);
        for (int c = 0; c < 3; c++) {
            ShortProcessor sp = new ShortProcessor(16, 16);
            for (int i = 0; i < 256; i++) sp.set(i, (i * (c + 1) * 13) % 4000);
            s.addSlice(sp);
        }
        ImagePlus imp = new ImagePlus("comp", s);
        imp.setDimensions(3, 1, 1);
        CompositeImage ci = new CompositeImage(imp, IJ.COMPOSITE);
        for (int c = 1; c <= 3; c++) { ci.setC(c); ci.setDisplayRange(0, 4000); }
        ci.setC(1);
        return ci;
    }

    @Test
    void compositeIsRenderedBlendedAndSplitBackPerChannel() {
        CompositeImage ci = composite();
        RgbImage rgb = ImageConversion.toRgb(ci);
        ImageProcessor green = ci.getStack().getProcessor(2);
        assertEquals(Math.round(green.get(9, 3) / 4000f * 255) / 255f, rgb.get(1, 9, 3), 1e-6);
        ImageProcessor back = ImageConversion.toProcessorLike(rgb, ci);
        assertTrue(back instanceof ColorProcessor);
        ImageProcessor[] channels = ImageConversion.toChannels((ColorProcessor) back, ci);
        assertEquals(3, channels.length);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 256; i++) // the blended view is 8-bit per channel: one LUT step of 4000/255
                assertEquals(ci.getStack().getProcessor(c + 1).get(i), channels[c].get(i), 4000 / 255.0 / 2 + 1, "c" + c + " i" + i);
    }

    @Test
    void stacksAndHyperstacksUseTheCurrentPlane() {
        ImageStack s = new ImageStack(8, 8);
        for (int z = 0; z < 4; z++) {
            ByteProcessor bp = new ByteProcessor(8, 8);
            bp.setValue(z * 50); bp.fill();
            s.addSlice(bp);
        }
        ImagePlus imp = new ImagePlus("stack", s);
        imp.setDimensions(1, 2, 2);
        imp.setOpenAsHyperStack(true);
        imp.setPosition(1, 2, 2);
        assertEquals(150 / 255f, ImageConversion.toRgb(imp).get(0, 1, 1), 1e-6);
    }

    @Test
    void everyAreaSelectionTypeBecomesItsMask() throws Exception {
        int w = 64, h = 48;
        Roi rect = new Roi(10, 5, 20, 10);
        assertEquals(200, count(ImageConversion.toMask(rect, w, h)));
        Mask oval = ImageConversion.toMask(new OvalRoi(10, 10, 20, 20), w, h);
        assertTrue(count(oval) > 250 && count(oval) < 400, "oval area ≈ π·10² = 314: " + count(oval));
        assertEquals(0f, oval.get(10, 10)); // corner of the bounds is outside the oval
        assertEquals(1f, oval.get(20, 20));
        PolygonRoi polygon = new PolygonRoi(new int[] {10, 40, 10}, new int[] {10, 10, 40}, 3, Roi.POLYGON);
        assertTrue(Math.abs(count(ImageConversion.toMask(polygon, w, h)) - 450) < 40);
        PolygonRoi freehand = new PolygonRoi(new int[] {5, 30, 35, 8}, new int[] {5, 4, 30, 28}, 4, Roi.FREEROI);
        assertTrue(count(ImageConversion.toMask(freehand, w, h)) > 500);
        ShapeRoi composite = new ShapeRoi(new Roi(0, 0, 20, 20)).or(new ShapeRoi(new Roi(30, 30, 10, 10)));
        Mask both = ImageConversion.toMask(composite, w, h);
        assertEquals(500, count(both));
        assertEquals(1f, both.get(35, 35));
        assertEquals(0f, both.get(25, 25));
        Roi rotated = new ij.gui.RotatedRectRoi(10, 24, 50, 24, 10);
        assertTrue(count(ImageConversion.toMask(rotated, w, h)) > 300);
    }

    @Test
    void selectionsPartlyOutsideAreClipped() throws Exception {
        Mask m = ImageConversion.toMask(new Roi(-10, -10, 30, 30), 64, 48);
        assertEquals(400, count(m));
        assertArrayEquals(new int[] {0, 0, 20, 20}, m.bounds());
    }

    @Test
    void unusableSelectionsGiveMessages() {
        assertTrue(assertThrows(UnsuitableImageException.class, () -> ImageConversion.toMask(null, 64, 64))
                .getMessage().contains("no selection"));
        assertTrue(assertThrows(UnsuitableImageException.class, () -> ImageConversion.toMask(new Line(1, 1, 30, 30), 64, 64))
                .getMessage().contains("no area"));
        assertTrue(assertThrows(UnsuitableImageException.class, () -> ImageConversion.toMask(new PointRoi(3, 3), 64, 64))
                .getMessage().contains("no area"));
        assertTrue(assertThrows(UnsuitableImageException.class, () -> ImageConversion.toMask(new Roi(100, 100, 20, 20), 64, 64))
                .getMessage().contains("outside the image"));
        assertTrue(assertThrows(UnsuitableImageException.class, () -> ImageConversion.toMask(new Roi(5, 5, 1, 1), 64, 64))
                .getMessage().contains("only 1×1"));
        assertTrue(assertThrows(UnsuitableImageException.class, () -> ImageConversion.checkSize(10000, 8000, "The image"))
                .getMessage().contains("at most 2048×2048"));
    }

    @Test
    void regionsAreCutFromTheImage() {
        ImagePlus imp = new ImagePlus("g8", ramp8(40, 30));
        RgbImage part = ImageConversion.toRgb(imp, new Rectangle(10, 5, 8, 8));
        assertEquals(ImageConversion.toRgb(imp).get(2, 13, 9), part.get(2, 3, 4), 0);
    }

    static int count(Mask m) {
        int n = 0;
        for (float v : m.values()) if (v >= 0.5f) n++;
        return n;
    }
}
