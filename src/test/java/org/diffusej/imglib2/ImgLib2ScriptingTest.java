package org.diffusej.imglib2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.diffusej.Fixtures;
import org.diffusej.engine.Mode;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.imagej.DiffusionService;
import org.diffusej.imagej.EngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

/**
 * ImgLib2 images through the DiffusionService as an ImageJ2 script uses it ({@code #@ DiffusionService}), on the
 * tiny fixture model (real pipeline, CPU fp32), and the conversion on its own.
 */
class ImgLib2ScriptingTest {
    private static Context context;
    private static DiffusionService diffusion;

    @BeforeAll
    static void open() {
        context = new Context(DiffusionService.class);
        diffusion = context.service(DiffusionService.class);
        diffusion.configure(new EngineSettings(Fixtures.diffusersDir("sd1-tiny").toString(), "cpu", "fp32"));
    }

    @AfterAll
    static void close() { context.dispose(); }

    /** A 16-bit ramp between 1000 and 1000 + 31·90. */
    private static Img<UnsignedShortType> ramp16(int w, int h) {
        Img<UnsignedShortType> img = ArrayImgs.unsignedShorts(w, h);
        RandomAccess<UnsignedShortType> ra = img.randomAccess();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) ra.setPositionAndGet(x, y).set(1000 + 90 * ((x * 3 + y * 5) % 32));
        return img;
    }

    private static double[] minMax(RandomAccessibleInterval<FloatType> img) {
        return ImgConversion.range(img);
    }

    @Test
    void conversionReadsViewsAndRoundTripsSixteenBits() {
        Img<UnsignedShortType> img = ramp16(40, 30);
        RandomAccessibleInterval<UnsignedShortType> view = Views.translate(Views.interval(img, new long[] {4, 2}, new long[] {35, 25}), 100, -7);
        double[] range = ImgConversion.range(view);
        RgbImage rgb = ImgConversion.toRgb(view, range);
        assertEquals(32, rgb.width());
        assertEquals(24, rgb.height());
        double expected = (img.getAt(4 + 3, 2 + 5).get() - range[0]) / (range[1] - range[0]);
        assertEquals(expected, rgb.get(1, 3, 5), 1e-6);
        Img<UnsignedShortType> back = ArrayImgs.unsignedShorts(32, 24);
        ImgConversion.write(rgb, false, range, back);
        Cursor<UnsignedShortType> c = back.localizingCursor();
        while (c.hasNext()) {
            int v = c.next().get();
            assertEquals(img.getAt(c.getLongPosition(0) + 4, c.getLongPosition(1) + 2).get(), v, "exact 16-bit round trip");
        }
    }

    @Test
    void restyleAnUnsignedShortImgKeepsShapeAndRange() throws Exception {
        Img<UnsignedShortType> img = ramp16(32, 24);
        double[] range = ImgConversion.range(img);
        Img<FloatType> out = diffusion.restyle(img, "x", 0.6, 7L);
        assertArrayEquals(img.dimensionsAsLongArray(), out.dimensionsAsLongArray());
        double[] r = minMax(out);
        assertTrue(r[0] >= range[0] && r[1] <= range[1], r[0] + ".." + r[1] + " outside " + range[0] + ".." + range[1]);
        assertTrue(differs(img, out), "the engine changed the image");
        Img<UnsignedShortType> back = diffusion.inTypeOf(out, img);
        assertArrayEquals(img.dimensionsAsLongArray(), back.dimensionsAsLongArray());
        Cursor<FloatType> f = Views.flatIterable(out).cursor();
        for (UnsignedShortType t : Views.flatIterable(back)) assertEquals(Math.round(f.next().get()), t.get(), "rounded into 16 bits");
    }

    @Test
    void inpaintLeavesPixelsFarFromTheMaskAndChangesThoseInside() throws Exception {
        Img<UnsignedShortType> img = ramp16(32, 32);
        Img<UnsignedByteType> mask = ArrayImgs.unsignedBytes(32, 32);
        for (UnsignedByteType t : Views.interval(mask, new long[] {8, 8}, new long[] {23, 23})) t.set(255);
        List<Img<FloatType>> out = diffusion.generate(img, mask, Request.builder(Mode.INPAINT).prompt("x").seed(3).steps(2)
                .strength(1.0).maskBlur(0).batchCount(1));
        Img<FloatType> res = out.get(0);
        double range = ImgConversion.range(img)[1] - ImgConversion.range(img)[0];
        double inside = 0;
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) {
                double d = Math.abs(res.getAt(x, y).get() - img.getAt(x, y).get());
                if (x >= 8 && x <= 23 && y >= 8 && y <= 23) inside = Math.max(inside, d);
                else if (x < 4 || x > 27 || y < 4 || y > 27)
                    assertEquals(0, d, range / 255.0, "far outside the mask (" + x + "," + y + "), tolerance 1/255 of the range");
            }
        assertTrue(inside > range / 255.0, "inside the mask changed: " + inside);
        assertNotEquals(null, diffusion.inpaint(img, mask, "x", 3L));
    }

    @Test
    void augmentAnRgbImgGivesDistinctVariants() throws Exception {
        Img<UnsignedByteType> rgb = ArrayImgs.unsignedBytes(32, 24, 3);
        Cursor<UnsignedByteType> c = rgb.localizingCursor();
        while (c.hasNext()) { c.fwd(); c.get().set((c.getIntPosition(0) * 7 + c.getIntPosition(2) * 80) % 256); }
        List<Img<FloatType>> variants = diffusion.augment(rgb, "x", 0.5, 2, 11L);
        assertEquals(2, variants.size());
        for (Img<FloatType> v : variants) assertArrayEquals(new long[] {32, 24, 3}, v.dimensionsAsLongArray());
        assertTrue(differs(variants.get(0), variants.get(1)), "two seeds, two variants");
    }

    @Test
    void badShapesAreRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> diffusion.restyle(ArrayImgs.floats(16, 16, 4, 2), "x", 0.5, 1L));
        assertTrue(e.getMessage().contains("16×16×4×2") && e.getMessage().contains("hyperSlice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> diffusion.inpaint(ArrayImgs.floats(16, 16), ArrayImgs.bytes(8, 16), "x", 1L));
        assertTrue(e.getMessage().contains("16×16"), e.getMessage());
    }

    private static <A extends net.imglib2.type.numeric.RealType<A>, B extends net.imglib2.type.numeric.RealType<B>> boolean differs(
            RandomAccessibleInterval<A> a, RandomAccessibleInterval<B> b) {
        Cursor<A> ca = Views.flatIterable(a).cursor();
        Cursor<B> cb = Views.flatIterable(b).cursor();
        while (ca.hasNext()) if (Math.abs(ca.next().getRealDouble() - cb.next().getRealDouble()) > 1e-3) return true;
        return false;
    }
}
