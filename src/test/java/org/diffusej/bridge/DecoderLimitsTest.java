package org.diffusej.bridge;

import org.junit.jupiter.api.Test;

import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two TIFFs found by the CLI image fuzzer (26 s per input, gigabytes allocated) are refused by the bridge at once
 * with a 400: {@link BytesImageInputStream} reads like a file (its length known), so a 323-byte TIFF whose strips
 * claim more data than it holds is refused by the JDK's reader; {@link DecoderLimits} refuses a 294-byte TIFF with
 * five 28-bit bands (the JDK decoder would build a 2^28-entry table per band) before decoding.
 */
class DecoderLimitsTest {
    private static final String SEEDS = "/org/diffusej/cli/ImageReadFuzzTestInputs/read/";

    @Test
    void readsSeeksAndKnowsItsLength() throws IOException {
        byte[] data = {1, 2, 3, 4, 5};
        try (ImageInputStream in = new BytesImageInputStream(data)) {
            assertEquals(5, in.length());
            assertEquals(1, in.read());
            byte[] b = new byte[10];
            assertEquals(4, in.read(b, 0, 10));
            assertArrayEquals(new byte[] {2, 3, 4, 5}, java.util.Arrays.copyOf(b, 4));
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(b, 0, 1));
            in.seek(3);
            assertEquals(4, in.read());
            in.seek(1_000_000_000_000L);
            assertEquals(-1, in.read(), "past the end reads nothing");
        }
    }

    @Test
    void aTiffWhoseStripsExceedItsDataIsRefusedWithoutAllocatingGigabytes() throws Exception {
        ApiException e = refusedCheaply("tiff_strips_beyond_the_data.tif", 323);
        assertTrue(e.detail().contains("could not be decoded"), e.detail());
    }

    @Test
    void aTiffWith28BitSamplesIsRefusedBeforeDecoding() throws Exception {
        ApiException e = refusedCheaply("tiff_28_bit_samples.tif", 294);
        assertTrue(e.detail().contains("28-bit samples"), e.detail());
    }

    /** Reads a fuzzer seed, decodes it as the bridge does; asserts a 400 for which this thread allocated < 100 MB. */
    private static ApiException refusedCheaply(String seed, int size) throws IOException {
        byte[] tiff = seed(seed);
        assertEquals(size, tiff.length);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ApiException e = assertThrows(ApiException.class,
                () -> new ImageCodec(2048).decode(Base64.getEncoder().encodeToString(tiff), "init_images[0]"));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(400, e.status(), e.detail());
        assertTrue(allocated < 100_000_000, "allocated " + allocated / 1_000_000 + " MB for a " + size + "-byte file");
        return e;
    }

    private static byte[] seed(String name) throws IOException {
        try (InputStream in = DecoderLimitsTest.class.getResourceAsStream(SEEDS + name)) {
            assertNotNull(in, SEEDS + name);
            return in.readAllBytes();
        }
    }
}
