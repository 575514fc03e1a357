package org.diffusej.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.diffusej.bridge.BytesImageInputStream;

import javax.imageio.stream.ImageInputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz test (Jazzer) of the CLI's image reading ({@link ImageFiles#read}, PNG/TIFF/JPEG/BMP/GIF
 * through ImageIO): any input either reads as an image within the pixel limit with samples in [0, 1], or is
 * refused with an {@link InputException}; any other Throwable fails. Seeds: {@code ImageReadFuzzTestInputs/read/}.
 * <p>Inputs are decoded from memory (no temporary file; a stream that knows its length, as a file's does) through
 * the same code as {@code ImageFiles.read(Path)},
 * with a pixel limit of {@value #MAX_PIXELS} instead of {@link ImageFiles#MAX_PIXELS}: the header check is the same
 * code, but an input declaring 8192² pixels would otherwise spend the run allocating gigabytes instead of
 * exploring the decoders (CliHardeningTest covers the real limit).
 */
class ImageReadFuzzTest {
    /** Pixel limit while fuzzing: 256×256. */
    static final long MAX_PIXELS = 256 * 256;

    @FuzzTest(maxDuration = "${jazzer.max_duration:30s}")
    void read(byte[] bytes) throws IOException {
        try (ImageInputStream in = new BytesImageInputStream(bytes)) {
            ImageFile f = ImageFiles.read(in, "input", MAX_PIXELS);
            assertTrue((long) f.rgb().width() * f.rgb().height() <= MAX_PIXELS);
            for (float v : f.rgb().planes()) assertTrue(v >= 0 && v <= 1, "sample " + v);
        } catch (InputException expected) {
            // refused with a sentence
        }
    }
}
