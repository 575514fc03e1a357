package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** The A1111 emphasis math and chunk handling, on a fake text encoder whose output is a known function of the ids. */
class PromptEncoderTest {
    static final int H = 6;
    NDManager manager;
    final List<long[]> seenIds = new ArrayList<>();

    /** z[n,t,h] = sin(0.001·id + 0.37·t + 1.3·h) + 0.1·h: depends on id, position and channel, non-zero mean. */
    final PromptEncoder.ChunkEncoder fake = (ids, clipSkip) -> {
        seenIds.add(ids.toLongArray());
        NDManager m = ids.getManager();
        NDArray id = ids.toType(DataType.FLOAT32, false).mul(0.001f).expandDims(-1);               // [N, 77, 1]
        NDArray t = m.arange(0f, 77f).mul(0.37f).reshape(1, 77, 1);                                 // [1, 77, 1]
        NDArray h = m.arange(0f, (float) H).reshape(1, 1, H);                                        // [1, 1, H]
        return id.add(t).add(h.mul(1.3f)).sin().add(h.mul(0.1f).add(clipSkip - 1));                 // [N, 77, H]
    };

    static double fakeValue(long id, int t, int h) {
        return Math.sin(0.001 * id + 0.37 * t + 1.3 * h) + 0.1 * h;
    }

    /** Words → ids (1000 + hash), "," → the comma token; enough to exercise chunking. */
    static final Function<String, int[]> words = text -> Arrays.stream(text.replace(",", " , ").trim().split("\\s+"))
            .filter(w -> !w.isEmpty())
            .mapToInt(w -> w.equals(",") ? PromptChunker.CLIP_COMMA : 1000 + Math.floorMod(w.hashCode(), 1000))
            .toArray();

    @BeforeEach void open() { manager = NDManager.newBaseManager(); }
    @AfterEach void close() { manager.close(); }

    @Test
    void plainPromptIsExactlyTheEncoderOutput() throws Exception {
        PromptEncoder enc = new PromptEncoder(PromptChunker.clip(words), fake, PromptChunker.CLIP_END);
        NDArray got = enc.encode("a photo of a cat", 1, manager);
        assertEquals(new Shape(1, 77, H), got.getShape());
        long[] ids = seenIds.get(0);
        assertEquals(PromptChunker.CLIP_START, ids[0]);
        assertEquals(PromptChunker.CLIP_END, ids[6]);
        assertEquals(PromptChunker.CLIP_END, ids[76]);
        NDArray direct = fake.encode(manager.create(ids, new Shape(1, 77)), 1);
        assertArrayEquals(direct.toFloatArray(), got.toFloatArray(), "factor must be exactly 1.0");
    }

    @Test
    void emphasisMultipliesThenRestoresTheMean() throws Exception {
        PromptEncoder enc = new PromptEncoder(PromptChunker.clip(words), fake, PromptChunker.CLIP_END);
        float[] got = enc.encode("a (red:1.5) [big] cat", 1, manager).toFloatArray();
        long[] ids = seenIds.get(0);
        double[] mult = new double[77];
        Arrays.fill(mult, 1.0);
        mult[2] = 1.5;
        mult[3] = 1 / 1.1;
        double sum = 0, weightedSum = 0;
        for (int t = 0; t < 77; t++)
            for (int h = 0; h < H; h++) {
                sum += fakeValue(ids[t], t, h);
                weightedSum += fakeValue(ids[t], t, h) * mult[t];
            }
        double factor = sum / weightedSum;
        assertNotEquals(1.0, factor, 1e-4);
        for (int t = 0; t < 77; t++)
            for (int h = 0; h < H; h++)
                assertEquals(fakeValue(ids[t], t, h) * mult[t] * factor, got[t * H + h], 2e-5, "t=" + t + " h=" + h);
        double mean = 0;
        for (float v : got) mean += v;
        assertEquals(sum / (77 * H), mean / (77 * H), 1e-5, "mean restored");
    }

    @Test
    void chunksAreEncodedSeparatelyAndConcatenated() throws Exception {
        PromptEncoder enc = new PromptEncoder(PromptChunker.clip(words), fake, PromptChunker.CLIP_END);
        NDArray got = enc.encode("a cat BREAK a dog", 2, manager);
        assertEquals(new Shape(1, 154, H), got.getShape());
        assertEquals(2, seenIds.size());
        NDArray second = fake.encode(manager.create(seenIds.get(1), new Shape(1, 77)), 2);
        assertArrayEquals(second.toFloatArray(), got.get(":, 77:, :").toFloatArray());
    }

    @Test
    void shorterSideIsPaddedWithEncodedEmptyChunks() throws Exception {
        PromptChunker chunker = PromptChunker.clip(words);
        PromptEncoder enc = new PromptEncoder(chunker, fake, PromptChunker.CLIP_END);
        String longPrompt = "w ".repeat(100);
        try (PromptEncoder.Conditioning c = enc.encodePair(longPrompt, "blurry", 1, manager)) {
            assertEquals(new Shape(1, 154, H), c.positive().getShape());
            assertEquals(new Shape(1, 154, H), c.negative().getShape());
            assertEquals(100, c.positiveTokens());
            assertEquals(1, c.negativeTokens());
            long[] empty = Arrays.stream(chunker.emptyChunk().tokens()).asLongStream().toArray();
            NDArray emptyZ = fake.encode(manager.create(empty, new Shape(1, 77)), 1);
            assertArrayEquals(emptyZ.toFloatArray(), c.negative().get(":, 77:, :").toFloatArray());
        }
    }

    @Test
    void sd2PadsAfterTheFirstEndToken() throws Exception {
        PromptEncoder enc = new PromptEncoder(PromptChunker.clip(words), fake, 0);
        enc.encode("a cat", 1, manager);
        long[] ids = seenIds.get(0);
        assertEquals(PromptChunker.CLIP_START, ids[0]);
        assertEquals(PromptChunker.CLIP_END, ids[3]);
        for (int i = 4; i < 77; i++) assertEquals(0, ids[i]);
    }

    @Test
    void resultSurvivesTheScopeAndJoinsTheCallersManager() throws Exception {
        PromptEncoder enc = new PromptEncoder(PromptChunker.clip(words), fake, PromptChunker.CLIP_END);
        NDArray got;
        try (NDManager sub = manager.newSubManager()) {
            got = enc.encode("x BREAK y", 1, sub);
            assertSame(sub, got.getManager());
            assertEquals(1, sub.getManagedArrays().size(), "intermediates closed");
        }
        assertTrue(got.isReleased(), "closed with its manager");
    }
}
