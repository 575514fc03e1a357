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
 * {@link BytesImageInputStream} reads like a file (its length known), so a 323-byte TIFF whose strips claim more data
 * than it holds (found by the CLI image fuzzer: with the JDK's in-memory stream it allocated gigabytes, 26 s per input)
 * is refused by the bridge at once with a 400.
 */
class BytesImageInputStreamTest {
    private static final String TIFF = "/org/diffusej/cli/ImageReadFuzzTestInputs/read/tiff_strips_beyond_the_data.tif";

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
        byte[] tiff;
        try (InputStream in = BytesImageInputStreamTest.class.getResourceAsStream(TIFF)) {
            assertNotNull(in, TIFF);
            tiff = in.readAllBytes();
        }
        assertEquals(323, tiff.length);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ApiException e = assertThrows(ApiException.class,
                () -> new ImageCodec(2048).decode(Base64.getEncoder().encodeToString(tiff), "init_images[0]"));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(400, e.status(), e.detail());
        assertTrue(allocated < 100_000_000, "allocated " + allocated / 1_000_000 + " MB for a 323-byte file");
    }
}
