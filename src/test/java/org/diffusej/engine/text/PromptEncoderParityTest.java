package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.nn.AllClose;
import org.diffusej.engine.weights.Checkpoint;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PromptEncoder on the real text encoders of the tiny fixtures: plain prompts give exactly the pipeline's
 * prompt embeddings (same ids, factor 1.0), emphasis follows A1111's formula, long prompts become 77-token chunks.
 */
class PromptEncoderParityTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny"})
    void matchesThePipelineEmbeddingsAndA1111Emphasis(String variant) throws Exception {
        String[] prompts = Fixtures.textEncoderPrompts(variant);
        Path path = Fixtures.singleFile(variant);
        try (Checkpoint c = CheckpointRecognizer.open(path);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "text_encoder.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            TextEncoder.Config config = TextEncoder.Config.detect(c.weights(), Fixtures.textHeads(variant),
                    c.family().textHiddenAct());
            ClipTokenizer tok = variant.startsWith("sd2")
                    ? ClipTokenizer.fromFolder(Fixtures.diffusersDir(variant).resolve("tokenizer")) : ClipTokenizer.bundled();
            try (TextEncoder enc = TextEncoder.load(c.weights(), config, m, DataType.FLOAT32)) {
                PromptEncoder pe = PromptEncoder.of(tok, enc::encode);
                NDArray reference = ref.load("pipeline_prompt_embeds", m); // [3, 77, H]
                for (int i = 0; i < prompts.length; i++) {
                    NDArray got = pe.encode(prompts[i], 1, m);
                    NDArray direct = enc.encode(m.create(tok.encodePadded(prompts[i], 77), new Shape(1, 77)), 1);
                    assertArrayEquals(direct.toFloatArray(), got.toFloatArray(), "bit-identical: " + prompts[i]);
                    AllClose.assertAllClose(reference.get(i).expandDims(0), got, 1e-4, 1e-4, variant + " " + prompts[i]);
                }

                // emphasis: z·m·(mean z / mean z·m) on the encoder's own output
                NDArray z = enc.encode(m.create(tok.encodePadded("a photo of a cat", 77), new Shape(1, 77)), 1);
                float[] zf = z.toFloatArray();
                int hidden = (int) z.getShape().get(2);
                float[] mult = new float[77];
                java.util.Arrays.fill(mult, 1f);
                mult[2] = 1.3f; // "photo"
                double sum = 0, weighted = 0;
                for (int t = 0; t < 77; t++) for (int h = 0; h < hidden; h++) {
                    sum += zf[t * hidden + h];
                    weighted += zf[t * hidden + h] * mult[t];
                }
                float[] got = pe.encode("a (photo:1.3) of a cat", 1, m).toFloatArray();
                for (int t = 0; t < 77; t++) for (int h = 0; h < hidden; h++)
                    assertEquals(zf[t * hidden + h] * mult[t] * sum / weighted, got[t * hidden + h], 1e-4, t + "," + h);

                // 100 tokens: two chunks, each starting with the start token
                try (PromptEncoder.Conditioning cond = pe.encodePair("cat ".repeat(100), "", 1, m)) {
                    assertEquals(new Shape(1, 154, hidden), cond.positive().getShape());
                    assertEquals(new Shape(1, 154, hidden), cond.negative().getShape());
                    assertEquals(100, cond.positiveTokens());
                    NDArray empty = enc.encode(m.create(tok.encodePadded("", 77), new Shape(1, 77)), 1);
                    assertArrayEquals(empty.toFloatArray(), cond.negative().get(":, 77:, :").toFloatArray(),
                            "negative padded with the encoded empty prompt");
                }
            }
        }
    }
}
