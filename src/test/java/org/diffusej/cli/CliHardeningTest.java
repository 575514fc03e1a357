package org.diffusej.cli;

import org.diffusej.models.ModelSettings;
import org.diffusej.testing.FakeEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression tests for the CLI findings of issue 17: decompression bombs refused from the header, 32-bit float and
 * integer TIFF converted (not all-zero, no divide by zero), output names checked, a deeply nested checkpoint header
 * and Java Errors mapped to an exit code and one sentence without a stack trace.
 */
class CliHardeningTest {
    @TempDir Path dir;
    private FakeEngine engine;
    private CliHarness cli;
    private Path model;

    @BeforeEach
    void setUp() throws IOException {
        engine = CliHarness.fakeEngine();
        cli = new CliHarness(dir.resolve("cache"), engine);
        model = Files.writeString(dir.resolve("model.safetensors"), "stand-in; the test loader ignores it");
    }

    @Test
    void pngBombIsRefusedFromItsHeaderQuickly() throws IOException {
        Path bomb = dir.resolve("bomb.png");
        writeBlackGreyPng(bomb, 20000, 20000);
        assertTrue(Files.size(bomb) < 2_000_000, "a small file: " + Files.size(bomb));
        long t0 = System.nanoTime();
        int code = cli.run("img2img", "-m", model.toString(), "-i", bomb.toString(), "-o", dir.resolve("o").toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(ExitCode.INPUT, code, cli.err());
        assertTrue(cli.err().contains("20000x20000") && cli.err().contains(String.valueOf(ImageFiles.MAX_PIXELS)),
                cli.err());
        assertTrue(seconds < 10, "refused before decoding, took " + seconds + " s");
        assertTrue(cli.loaded.isEmpty(), "no model loaded for an unusable input");
    }

    @Test
    void float32TiffIsStretchedFromItsMinimumToItsMaximum() throws Exception {
        float[] values = {-50f, 0f, 150f, 950f};
        ImageFile f = ImageFiles.read(floatTiff(dir.resolve("f.tif"), values));
        assertEquals(16, f.bitDepth());
        assertTrue(f.grey());
        float[] got = row(f);
        for (int i = 0; i < values.length; i++)
            assertEquals((values[i] + 50f) / 1000f, got[i], 1e-6f, "sample " + i);
    }

    @Test
    void float32TiffInUnitRangeIsKeptAndNanIsRefused() throws Exception {
        float[] unit = {0f, 0.25f, 0.5f, 0.75f};
        float[] got = row(ImageFiles.read(floatTiff(dir.resolve("u.tif"), unit)));
        for (int i = 0; i < unit.length; i++) assertEquals(unit[i], got[i], 1e-6f);
        InputException e = assertThrows(InputException.class,
                () -> ImageFiles.read(floatTiff(dir.resolve("n.tif"), new float[] {0f, Float.NaN, 1f, 2f})));
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
    }

    @Test
    void unsignedInt32TiffIsScaledByTwoToThe32() throws Exception {
        int[] values = {0, 1 << 30, (int) (3L << 30), -1}; // unsigned 0, 2^30, 3·2^30, 2^32−1
        float[] got = row(ImageFiles.read(int32Tiff(dir.resolve("u.tif"), values, false)));
        for (int i = 0; i < values.length; i++)
            assertEquals(Integer.toUnsignedLong(values[i]) / 4294967295.0, got[i], 1e-6, "sample " + i);
    }

    @Test
    void signedInt32TiffIsScaledOverItsSignedRange() throws Exception {
        // SampleFormat 2: −2^31 is black, 2^31−1 white, 0 mid-grey; negative values must not read as large unsigned
        int[] values = {Integer.MIN_VALUE, -1000, 0, 1000, Integer.MAX_VALUE};
        ImageFile f = ImageFiles.read(int32Tiff(dir.resolve("s.tif"), values, true));
        assertEquals(16, f.bitDepth());
        float[] got = row(f);
        for (int i = 0; i < values.length; i++)
            assertEquals((values[i] + 2147483648.0) / 4294967295.0, got[i], 1e-6, "sample " + i);
        assertTrue(got[1] < got[2] && got[2] < got[3], "order kept across zero: " + java.util.Arrays.toString(got));
        // the JDK's own TIFF writer marks int rasters as signed: −5 is just below mid-grey, not near white
        BufferedImage img = greyImage(DataBuffer.TYPE_INT, 1);
        img.getRaster().setSample(0, 0, 0, -5);
        Path jdk = dir.resolve("jdk.tif");
        assertTrue(ImageIO.write(img, "tif", jdk.toFile()));
        assertEquals(0.5, row(ImageFiles.read(jdk))[0], 1e-6);
    }

    @Test
    void aTiffWith28BitSamplesIsRefusedBeforeDecoding() throws Exception {
        // found by ImageReadFuzzTest: the JDK decoder would build a 2^28-entry table for each of its five bands
        Path p = dir.resolve("t.tif");
        try (var in = CliHardeningTest.class.getResourceAsStream("ImageReadFuzzTestInputs/read/tiff_28_bit_samples.tif")) {
            Files.write(p, in.readAllBytes());
        }
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        InputException e = assertThrows(InputException.class, () -> ImageFiles.read(p));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("28-bit samples"), e.getMessage());
        assertTrue(allocated < 100_000_000, "allocated " + allocated / 1_000_000 + " MB for a 294-byte file");
    }

    @Test
    void outputWithAnotherImageExtensionIsRefusedWithoutMakingAFolder() {
        Path jpg = dir.resolve("x.jpg");
        assertEquals(ExitCode.INPUT, cli.run("txt2img", "-m", model.toString(), "-W", "16", "-H", "16",
                "-o", jpg.toString()));
        assertFalse(Files.exists(jpg), "no folder x.jpg/");
        assertTrue(cli.err().contains(".png") && cli.err().contains(".tif") && cli.err().contains("folder"), cli.err());
        // a new folder name without an image extension still works
        assertEquals(ExitCode.OK, cli.run("txt2img", "-m", model.toString(), "-W", "16", "-H", "16",
                "-o", dir.resolve("run.2").toString()), cli.err());
        assertTrue(Files.isDirectory(dir.resolve("run.2")));
    }

    @Test
    void deeplyNestedCheckpointHeaderIsAModelErrorNotAStackOverflow() throws IOException {
        String json = "{\"__metadata__\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path bad = dir.resolve("nested.safetensors");
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        try (OutputStream o = Files.newOutputStream(bad)) {
            o.write(len.array());
            o.write(header);
        }
        CliHarness real = new CliHarness(new ModelSettings(dir.resolve("cache"), "http://127.0.0.1:9", null, true, null,
                null), PipelineEngineLoader::load);
        assertEquals(ExitCode.MODEL, real.run("txt2img", "-q", "-m", bad.toString(), "-W", "16", "-H", "16",
                "-o", dir.resolve("n").toString()));
        assertTrue(real.err().contains("nested") && !real.err().contains("\tat "), real.err());
        assertEquals(1, real.err().strip().lines().count(), "one sentence: " + real.err());
    }

    @Test
    void errorsGetAnExitCodeAndOneSentence() {
        CliHarness oom = new CliHarness(cli.settings, (p, s, l) -> { throw new OutOfMemoryError("Java heap space"); });
        assertEquals(ExitCode.MEMORY, oom.run("txt2img", "-q", "-m", model.toString(), "-W", "16", "-H", "16",
                "-o", dir.resolve("a").toString()));
        assertTrue(oom.err().contains("Out of memory") && oom.err().contains("-Xmx"), oom.err());
        assertEquals(1, oom.err().strip().lines().count(), oom.err());

        CliHarness so = new CliHarness(cli.settings, (p, s, l) -> { throw new StackOverflowError(); });
        assertEquals(ExitCode.INTERNAL, so.run("txt2img", "-q", "-m", model.toString(), "-W", "16", "-H", "16",
                "-o", dir.resolve("b").toString()));
        assertTrue(so.err().contains("stack overflowed") && !so.err().contains("\tat "), so.err());
        assertEquals(1, so.err().strip().lines().count(), so.err());
    }

    private static float[] row(ImageFile f) {
        float[] v = new float[f.rgb().width()];
        for (int x = 0; x < v.length; x++) v[x] = f.rgb().get(0, x, 0);
        return v;
    }

    private static BufferedImage greyImage(int dataType, int width) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), false, false,
                Transparency.OPAQUE, dataType);
        WritableRaster r = cm.createCompatibleWritableRaster(width, 1);
        return new BufferedImage(cm, r, false, null);
    }

    private static Path floatTiff(Path p, float[] values) throws IOException {
        BufferedImage img = greyImage(DataBuffer.TYPE_FLOAT, values.length);
        for (int i = 0; i < values.length; i++) img.getRaster().setSample(i, 0, 0, values[i]);
        assertTrue(ImageIO.write(img, "tif", p.toFile()), "the JDK writes float TIFF");
        return p;
    }

    /** A one-row grey 32-bit integer TIFF written field by field, SampleFormat 2 (signed) or 1 (unsigned). */
    static Path int32Tiff(Path p, int[] values, boolean signed) throws IOException {
        short[][] fields = { // tag, type (3 SHORT, 4 LONG), value; 273 (StripOffsets) points after the IFD
                {256, 4, (short) values.length}, {257, 4, 1}, {258, 3, 32}, {259, 3, 1}, {262, 3, 1}, {273, 4, 0},
                {277, 3, 1}, {278, 4, 1}, {279, 4, (short) (4 * values.length)}, {339, 3, (short) (signed ? 2 : 1)}};
        int dataOffset = 8 + 2 + 12 * fields.length + 4;
        ByteBuffer b = ByteBuffer.allocate(dataOffset + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8).putShort((short) fields.length);
        for (short[] f : fields) {
            b.putShort(f[0]).putShort(f[1]).putInt(1);
            int value = f[0] == 273 ? dataOffset : f[2];
            if (f[1] == 3) b.putShort((short) value).putShort((short) 0);
            else b.putInt(value);
        }
        b.putInt(0); // no next IFD
        for (int v : values) b.putInt(v);
        return Files.write(p, b.array());
    }

    /** An 8-bit grey PNG of zeros, deflated row by row (20000² compresses to well under 1 MB). */
    static void writeBlackGreyPng(Path file, int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] rowBytes = new byte[w + 1];
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            for (int y = 0; y < h; y++) z.write(rowBytes);
        }
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(file))) {
            o.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0)
                    .put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(o, "IHDR", ihdr.array());
            chunk(o, "IDAT", idat.toByteArray());
            chunk(o, "IEND", new byte[0]);
        }
    }

    private static void chunk(DataOutputStream o, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        o.writeInt(data.length);
        o.write(t);
        o.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        o.writeInt((int) crc.getValue());
    }
}
