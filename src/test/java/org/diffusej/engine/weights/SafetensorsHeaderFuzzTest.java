package org.diffusej.engine.weights;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz test (Jazzer) of the safetensors header parser: whatever the header text and data length,
 * the parser either returns tensors that lie inside the data and do not overlap, or throws
 * {@link InvalidCheckpointException} with a bounded message. Any other Throwable (runtime exception,
 * StackOverflowError, OutOfMemoryError) fails. Seeds: {@code SafetensorsHeaderFuzzTestInputs/header/} (the last
 * 8 bytes of a seed are the data length). The file-level checks (length field) are covered by the safetensors tests.
 */
class SafetensorsHeaderFuzzTest {
    /** Longest error text accepted: the parser quotes at most 1,000 characters of the header, plus the path. */
    private static final int MAX_MESSAGE = 1_200;
    private static final Path NAME = Path.of("fuzz.safetensors");

    @FuzzTest(maxDuration = "${jazzer.max_duration:30s}")
    void header(FuzzedDataProvider data) {
        long dataLen = data.consumeLong(0, Long.MAX_VALUE / 2);
        String json = data.consumeRemainingAsString();
        try {
            Map<String, TensorInfo> tensors = SafetensorsFile.parseHeader(NAME, json, dataLen, new HashMap<>());
            long covered = 0;
            for (TensorInfo t : tensors.values()) {
                assertTrue(t.begin() >= 0 && t.begin() <= t.end() && t.end() <= dataLen, t.toString());
                covered += t.end() - t.begin();
            }
            assertTrue(covered <= dataLen, "tensors overlap: " + covered + " bytes in " + dataLen);
        } catch (InvalidCheckpointException e) {
            assertTrue(e.getMessage().length() <= MAX_MESSAGE, "message of " + e.getMessage().length() + " chars");
        }
    }
}
