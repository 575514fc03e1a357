package org.diffusej.engine.infotext;

import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A1111's model hashes of the sd1-tiny checkpoint, computed here from the file's bytes with A1111's rules
 * ({@code a1111/README.md}, "Model hash"): shorthash = first 10 hex of the SHA-256 of the whole file; legacy
 * model_hash = first 8 hex of the SHA-256 of the 64 KiB at offset 1 MiB. No literal hash: the same test holds for a
 * fixture set generated with another seed.
 */
class ModelHashTest {
    static final int LEGACY_OFFSET = 1 << 20;
    static final int LEGACY_LENGTH = 1 << 16;

    @Test
    void matchesA1111HashRulesOnTheFixtureCheckpoint() throws Exception {
        Path file = Fixtures.singleFile("sd1-tiny");
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > LEGACY_OFFSET + LEGACY_LENGTH, "the file reaches past the legacy hash window");
        String sha = Fixtures.sha256Hex(bytes);
        assertEquals(sha, ModelHash.sha256(file));
        assertEquals(sha.substring(0, 10), ModelHash.shortHash(file));
        String legacy = Fixtures.sha256Hex(Arrays.copyOfRange(bytes, LEGACY_OFFSET, LEGACY_OFFSET + LEGACY_LENGTH)).substring(0, 8);
        assertEquals(legacy, ModelHash.legacyHash(file));
    }

    @Test
    void legacyHashOfAFileShorterThanTheWindowCoversWhatThereIs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] bytes = new byte[LEGACY_OFFSET + 1000];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 31 + 7);
        Path file = Files.write(dir.resolve("short.safetensors"), bytes);
        String legacy = Fixtures.sha256Hex(Arrays.copyOfRange(bytes, LEGACY_OFFSET, bytes.length)).substring(0, 8);
        assertEquals(legacy, ModelHash.legacyHash(file));
    }

    /** A1111's own record: its shorthash is the first 10 hex of the sha256 it recorded for the same file. */
    @Test
    void a1111RecordFollowsTheShortHashRule() {
        JsonObject recorded = InfotextTest.FIXTURE.getAsJsonObject("model_hash");
        assertEquals(recorded.get("sha256").getAsString().substring(0, 10), recorded.get("shorthash").getAsString());
        assertEquals(Fixtures.singleFile("sd1-tiny").getFileName().toString(), recorded.get("file").getAsString());
    }
}
