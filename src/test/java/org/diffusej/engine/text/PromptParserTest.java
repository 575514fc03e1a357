package org.diffusej.engine.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PromptParserTest {

    static JsonObject fixture(String file) throws IOException {
        String json = Files.readString(Fixtures.root().resolve("a1111").resolve(file), StandardCharsets.UTF_8);
        return JsonParser.parseString(json).getAsJsonObject();
    }

    static List<WeightedText> weighted(JsonArray pairs) {
        List<WeightedText> out = new ArrayList<>();
        for (JsonElement e : pairs) {
            JsonArray p = e.getAsJsonArray();
            out.add(new WeightedText(p.get(0).getAsString(), p.get(1).getAsDouble()));
        }
        return out;
    }

    @TestFactory
    List<DynamicTest> reproducesEveryA1111Case() throws IOException {
        JsonArray cases = fixture("prompt_attention.json").getAsJsonArray("cases");
        assertEquals(61, cases.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : cases) {
            JsonObject c = e.getAsJsonObject();
            String prompt = c.get("prompt").getAsString();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> {
                if (c.has("error")) {
                    PromptSyntaxException ex = assertThrows(PromptSyntaxException.class, () -> PromptParser.parse(prompt));
                    assertTrue(ex.getMessage().contains("1.2.3"), ex.getMessage());
                } else {
                    // record equality compares the doubles exactly (1.2100000000000002 is not 1.21)
                    assertEquals(weighted(c.getAsJsonArray("result")), PromptParser.parse(prompt));
                }
            }));
        }
        return tests;
    }

    @Test
    void breakMarkerOnlyAtTopLevel() throws Exception {
        List<WeightedText> top = PromptParser.parse("a BREAK b");
        assertTrue(top.get(1).isBreak());
        List<WeightedText> inside = PromptParser.parse("(a BREAK b)");
        assertFalse(inside.get(1).isBreak());
        assertEquals(-1.1, inside.get(1).weight(), 0.0);
    }

    @Test
    void unicodeDigitsAreNumbersLikePythonFloat() throws Exception {
        // Python's re \d and float() accept Arabic-Indic digits: (a:١.٥) is weight 1.5
        assertEquals(List.of(new WeightedText("a", 1.5)), PromptParser.parse("(a:\u0661.\u0665)"));
    }

    @Test
    void weightWithoutDigitsIsAnError() {
        assertThrows(PromptSyntaxException.class, () -> PromptParser.parse("(a:.)"));
    }
}
