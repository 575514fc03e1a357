package org.diffusej.engine.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Token ids must equal the reference tokenizer's exactly, for every prompt of every variant. */
class ClipTokenizerTest {

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd1-inpaint-tiny", "sd2-tiny", "sd15-shape"})
    void idsEqualReferenceForEveryPrompt(String variant) throws Exception {
        Path folder = Fixtures.diffusersDir(variant).resolve("tokenizer");
        ClipTokenizer tok = Files.isDirectory(folder) ? ClipTokenizer.fromFolder(folder) : ClipTokenizer.bundled();
        checkAgainstReference(tok, variant);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd15-shape"})
    void bundledVocabularyIsSd1Tokenizer(String variant) throws Exception {
        checkAgainstReference(ClipTokenizer.bundled(), variant);
    }

    /** SDXL: tokenizer (pad 49407) and tokenizer_2 (pad '!' = 0) from the folder, and what single files get. */
    @ParameterizedTest
    @ValueSource(strings = {"tokenizer", "tokenizer_2"})
    void sdxlTokenizersEqualReference(String name) throws Exception {
        checkAgainstReference(ClipTokenizer.fromFolder(Fixtures.diffusersDir("sdxl-tiny").resolve(name)), "sdxl-tiny", name);
        ClipTokenizer bundled = name.equals("tokenizer") ? ClipTokenizer.bundled() : ClipTokenizer.bundled().withPadToken("!");
        checkAgainstReference(bundled, "sdxl-tiny", name);
    }

    private static void checkAgainstReference(ClipTokenizer tok, String variant) throws Exception {
        checkAgainstReference(tok, variant, "tokenizer");
    }

    private static void checkAgainstReference(ClipTokenizer tok, String variant, String name) throws Exception {
        JsonObject ref = JsonParser.parseString(Files.readString(Fixtures.reference(variant, name + ".json"))).getAsJsonObject();
        assertEquals(ref.get("pad_token_id").getAsInt(), tok.padId());
        assertEquals(ref.get("bos_token_id").getAsInt(), tok.startId());
        assertEquals(ref.get("eos_token_id").getAsInt(), tok.endId());
        int checked = 0;
        for (JsonElement e : ref.getAsJsonArray("prompts")) {
            JsonObject p = e.getAsJsonObject();
            String prompt = p.get("prompt").getAsString();
            long[] untruncated = longs(p.getAsJsonArray("ids_untruncated"));
            int[] ids = tok.tokenize(prompt);
            long[] withEnds = new long[ids.length + 2];
            withEnds[0] = tok.startId();
            for (int i = 0; i < ids.length; i++) withEnds[i + 1] = ids[i];
            withEnds[ids.length + 1] = tok.endId();
            assertArrayEquals(untruncated, withEnds, () -> variant + " untruncated ids of: " + prompt);
            assertArrayEquals(longs(p.getAsJsonArray("ids_padded_77")), tok.encodePadded(prompt, 77),
                    () -> variant + " padded ids of: " + prompt);
            checked++;
        }
        assertEquals(13, checked);
    }

    @Test
    void bundledWithSd2PadTokenIsSd2Tokenizer() throws Exception {
        checkAgainstReference(ClipTokenizer.bundled().withPadToken("!"), "sd2-tiny");
    }

    @Test
    void sd2FolderSplitsPadTokenButBundledDoesNot() throws Exception {
        ClipTokenizer sd2 = ClipTokenizer.fromFolder(Fixtures.diffusersDir("sd2-tiny").resolve("tokenizer"));
        assertArrayEquals(new int[] {1002, 0, 0}, sd2.tokenize("world!!"));
        assertArrayEquals(new int[] {1002, 748}, ClipTokenizer.bundled().tokenize("world!!"), "sd1: '!!' is one BPE token");
    }

    @Test
    void cleaningFollowsFtfy() {
        assertEquals("it's \"x\" fi a b", ClipTextCleaner.clean("It\u2019s \u201cX\u201d \ufb01\u00a0A\u3000\tB"));
        assertEquals("abc", ClipTextCleaner.clean("\uff21\uff22\uff23"), "full-width letters become ASCII");
        assertEquals("& < é", ClipTextCleaner.clean("&amp; &lt; &eacute;"));
        assertEquals("&amp & x", ClipTextCleaner.clean("&amp &AMP; &#120;"), "named references need ';'");
        assertEquals("a < b &amp; c", ClipTextCleaner.clean("a < b &amp; c"), "text with '<' keeps its entities (ftfy auto)");
        assertEquals("cafe\u0301".length() - 1, ClipTextCleaner.clean("cafe\u0301").length(), "NFC");
    }

    @Test
    void missingTokenizerFilesAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThrows(org.diffusej.engine.weights.InvalidCheckpointException.class, () -> ClipTokenizer.fromFolder(dir));
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
        return out;
    }

}
