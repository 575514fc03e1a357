package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.Checkpoint;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.XlConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A1111 behaviour of SDXL prompt encoding beyond the 75-token parity case: chunking across both encoders (prompt and
 * negative padded to the same chunk count), emphasis per encoder, and prompt walks (ends equal the plain prompts,
 * the middle is the straight mix of contexts and pooled embeddings). Exact for the ends, 1e-5 for the mixes.
 */
class DualPromptEncoderTest {
    @Test
    void chunksWeightsAndWalksAcrossBothEncoders() throws Exception {
        Path folder = Fixtures.diffusersDir("sdxl-tiny");
        try (Checkpoint c = CheckpointRecognizer.open(folder); NDManager m = NDManager.newBaseManager();
             DualTextEncoder enc = DualTextEncoder.load(c.weights(), c.config().textHeads(), c.config().textHiddenAct(),
                     XlConfig.read(folder).text2Heads(), XlConfig.read(folder).text2HiddenAct(), m, DataType.FLOAT32)) {
            DualPromptEncoder p = new DualPromptEncoder(ClipTokenizer.fromFolder(folder.resolve("tokenizer")),
                    ClipTokenizer.fromFolder(folder.resolve("tokenizer_2")), enc, true);
            String longPrompt = "a photo of a cat, ".repeat(20);
            try (DualPromptEncoder.Conditioning cond = p.encodePair(longPrompt, "blurry", 1, m)) {
                assertEquals(new Shape(1, 154, 14), cond.context().positive().getShape(), "two chunks");
                assertEquals(new Shape(1, 154, 14), cond.context().negative().getShape(), "negative padded to two chunks");
                assertEquals(new Shape(1, 16), cond.pooledPositive().getShape());
            }
            try (DualPromptEncoder.Conditioning plain = p.encodePair("a photo of a cat", "blurry", 1, m);
                 DualPromptEncoder.Conditioning weighted = p.encodePair("a photo of a (cat:1.3)", "blurry", 1, m)) {
                assertTrue(plain.context().positive().sub(weighted.context().positive()).abs().max().getFloat() > 1e-4,
                        "emphasis changes the context");
                assertAllClose(plain.pooledPositive(), weighted.pooledPositive(), 0, 0, "emphasis leaves pooled alone");
                try (DualPromptEncoder.Conditioning start = p.encodeWalk("a photo of a cat", "a dog", 0, "blurry", 1, m);
                     DualPromptEncoder.Conditioning end = p.encodeWalk("a dog", "a photo of a cat", 1, "blurry", 1, m);
                     DualPromptEncoder.Conditioning dog = p.encodePair("a dog", "blurry", 1, m);
                     DualPromptEncoder.Conditioning mid = p.encodeWalk("a photo of a cat", "a dog", 0.5, "", 1, m)) {
                    assertAllClose(plain.context().positive(), start.context().positive(), 0, 0, "t = 0");
                    assertAllClose(plain.context().positive(), end.context().positive(), 0, 0, "t = 1");
                    NDArray mix = plain.context().positive().add(dog.context().positive()).mul(0.5f);
                    assertAllClose(mix, mid.context().positive(), 1e-5, 1e-5, "mixed context");
                    assertAllClose(plain.pooledPositive().add(dog.pooledPositive()).mul(0.5f), mid.pooledPositive(),
                            1e-5, 1e-5, "mixed pooled");
                    assertEquals(0f, mid.pooledNegative().abs().sum().getFloat(), "empty negative: zeros");
                }
            }
        }
    }
}
