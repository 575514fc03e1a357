package org.diffusej.engine.infotext;

import com.google.gson.JsonObject;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModelHashTest {
    @Test
    void matchesA1111HashesOfTheFixtureCheckpoint() throws Exception {
        JsonObject expected = InfotextTest.FIXTURE.getAsJsonObject("model_hash");
        Path file = Fixtures.singleFile("sd1-tiny");
        assertEquals(expected.get("file").getAsString(), file.getFileName().toString());
        assertEquals(expected.get("sha256").getAsString(), ModelHash.sha256(file));
        assertEquals(expected.get("shorthash").getAsString(), ModelHash.shortHash(file));
        assertEquals(expected.get("legacy_model_hash").getAsString(), ModelHash.legacyHash(file));
    }
}
