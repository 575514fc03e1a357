package org.diffusej.bridge;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonObject;

import java.awt.image.BufferedImage;
import java.util.Base64;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzz tests (Jazzer) of what the bridge parses from a client: the JSON body
 * ({@link HttpIO#parseObject} then {@link A1111Request#parse}) and base64 images/masks ({@link ImageCodec}). Any input
 * must end in a result or an {@link ApiException} with a 4xx status whose text names no Java class; any other
 * Throwable fails. Seeds: {@code RequestParsingFuzzTestInputs/<method>/}.
 */
class RequestParsingFuzzTest {
    /** Small limit so that fuzzed images stay cheap to decode. */
    private static final ImageCodec CODEC = new ImageCodec(256);
    private static final Pattern JAVA_CLASS = Pattern.compile("(java|javax|com\\.google)\\.[a-z]+\\.|Exception\\b");

    @FuzzTest(maxDuration = "${jazzer.max_duration:30s}")
    void jsonRequest(FuzzedDataProvider data) {
        boolean img2img = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        try {
            JsonObject body = HttpIO.parseObject(text);
            A1111Request.parse(body, img2img, CODEC);
        } catch (ApiException e) {
            checkClientError(e);
        }
    }

    @FuzzTest(maxDuration = "${jazzer.max_duration:30s}")
    void imageAndMask(byte[] bytes) {
        try {
            BufferedImage img = CODEC.decode(Base64.getEncoder().encodeToString(bytes), "init_images[0]");
            assertTrue(img.getWidth() <= CODEC.maxSide() && img.getHeight() <= CODEC.maxSide());
            ImageCodec.toRgb(img);
            ImageCodec.toMask(img);
        } catch (ApiException e) {
            checkClientError(e);
        }
    }

    private static void checkClientError(ApiException e) {
        assertTrue(e.status() >= 400 && e.status() < 500, "status " + e.status() + ": " + e.getMessage());
        assertFalse(JAVA_CLASS.matcher(String.valueOf(e.getMessage())).find(), "Java class name in: " + e.getMessage());
    }
}
