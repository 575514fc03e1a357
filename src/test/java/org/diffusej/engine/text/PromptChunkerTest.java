package org.diffusej.engine.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class PromptChunkerTest {

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }

    static List<PromptChunker.Chunk> expectedChunks(JsonObject c) {
        List<PromptChunker.Chunk> out = new ArrayList<>();
        for (JsonElement e : c.getAsJsonArray("chunks")) {
            JsonObject ch = e.getAsJsonObject();
            out.add(new PromptChunker.Chunk(ints(ch.getAsJsonArray("tokens")), doubles(ch.getAsJsonArray("multipliers"))));
        }
        return out;
    }

    /** The tokenizer A1111 used, as recorded: fragment text → ids; unknown text fails the test. */
    static Function<String, int[]> recordedTokenizer(JsonArray cases) {
        Map<String, int[]> ids = new HashMap<>();
        for (JsonElement e : cases) {
            JsonObject c = e.getAsJsonObject();
            JsonArray parsed = c.getAsJsonArray("parsed");
            JsonArray frag = c.getAsJsonArray("fragment_token_ids");
            for (int i = 0; i < parsed.size(); i++)
                ids.put(parsed.get(i).getAsJsonArray().get(0).getAsString(), ints(frag.get(i).getAsJsonArray()));
        }
        return text -> {
            int[] r = ids.get(text);
            if (r == null) throw new AssertionError("fragment not recorded: " + text);
            return r;
        };
    }

    @TestFactory
    List<DynamicTest> reproducesEveryA1111Case() throws IOException {
        JsonObject fixture = PromptParserTest.fixture("chunks.json");
        assertEquals(PromptChunker.CLIP_START, fixture.get("id_start").getAsInt());
        assertEquals(PromptChunker.CLIP_END, fixture.get("id_end").getAsInt());
        assertEquals(PromptChunker.CLIP_COMMA, fixture.get("comma_token").getAsInt());
        assertEquals(PromptChunker.CHUNK_LENGTH, fixture.get("chunk_length").getAsInt());
        JsonArray cases = fixture.getAsJsonArray("cases");
        assertEquals(20, cases.size());
        PromptChunker chunker = PromptChunker.clip(recordedTokenizer(cases));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : cases) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> {
                List<WeightedText> parsed = PromptParser.parse(c.get("prompt").getAsString());
                assertEquals(PromptParserTest.weighted(c.getAsJsonArray("parsed")), parsed);
                PromptChunker.Chunks result = chunker.chunk(parsed);
                assertEquals(expectedChunks(c), result.chunks());
                assertEquals(c.get("token_count").getAsInt(), result.tokenCount());
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> reproducesEveryA1111CaseWithTheRealTokenizer() throws IOException {
        JsonArray cases = PromptParserTest.fixture("chunks.json").getAsJsonArray("cases");
        PromptChunker chunker = PromptChunker.of(ClipTokenizer.bundled());
        assertEquals(PromptChunker.CLIP_COMMA, ClipTokenizer.bundled().tokenize(",")[0]);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement e : cases) {
            JsonObject c = e.getAsJsonObject();
            tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> {
                PromptChunker.Chunks result = chunker.chunk(c.get("prompt").getAsString());
                assertEquals(expectedChunks(c), result.chunks());
                assertEquals(c.get("token_count").getAsInt(), result.tokenCount());
            }));
        }
        return tests;
    }

    @Test
    void emptyChunkIsStartThenEnds() {
        PromptChunker.Chunk empty = PromptChunker.clip(t -> new int[0]).emptyChunk();
        assertEquals(77, empty.tokens().length);
        assertEquals(PromptChunker.CLIP_START, empty.tokens()[0]);
        for (int i = 1; i < 77; i++) assertEquals(PromptChunker.CLIP_END, empty.tokens()[i]);
        for (double m : empty.multipliers()) assertEquals(1.0, m, 0.0);
    }

    @Test
    void commaBacktrackCarriesWeights() {
        // 70 plain tokens, a comma, then 10 weighted ones: the 4 weighted tokens before the boundary move along
        Function<String, int[]> tok = text -> switch (text) {
            case "p" -> filled(70, 1);
            case "w" -> filled(10, 2);
            case "," -> new int[] {PromptChunker.CLIP_COMMA};
            default -> throw new AssertionError(text);
        };
        PromptChunker.Chunks r = PromptChunker.clip(tok).chunk(List.of(
                new WeightedText("p", 1.0), new WeightedText(",", 1.0), new WeightedText("w", 1.5)));
        assertEquals(2, r.chunks().size());
        assertEquals(PromptChunker.CLIP_COMMA, r.chunks().get(0).tokens()[71]);
        assertEquals(PromptChunker.CLIP_END, r.chunks().get(0).tokens()[72]);
        for (int i = 1; i <= 10; i++) {
            assertEquals(2, r.chunks().get(1).tokens()[i]);
            assertEquals(1.5, r.chunks().get(1).multipliers()[i], 0.0);
        }
        assertEquals(75 + 10, r.tokenCount());
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
