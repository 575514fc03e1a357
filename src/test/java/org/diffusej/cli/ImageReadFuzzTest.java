package org.diffusej.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz test (Jazzer) of the CLI's image reading ({@link ImageFiles#read}, PNG/TIFF/JPEG/BMP/GIF
 * through ImageIO): any file either reads as an image within {@link ImageFiles#MAX_PIXELS} with samples in [0, 1],
 * or is refused with an {@link InputException}; any other Throwable fails. Seeds: {@code ImageReadFuzzTestInputs/read/}.
 */
class ImageReadFuzzTest {
    private static Path dir;
    private static Path file;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("img-fuzz");
        file = dir.resolve("input");
    }

    @AfterAll
    static void deleteDir() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "${jazzer.max_duration:30s}")
    void read(byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try {
            ImageFile f = ImageFiles.read(file);
            assertTrue((long) f.rgb().width() * f.rgb().height() <= ImageFiles.MAX_PIXELS);
            for (float v : f.rgb().planes()) assertTrue(v >= 0 && v <= 1, "sample " + v);
        } catch (InputException expected) {
            // refused with a sentence
        }
    }
}
