package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.weights.Checkpoint;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.XlConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.diffusej.engine.nn.AllClose.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SDXL's two text encoders against transformers/diffusers ({@code sdxl-tiny/reference/text_encoders.safetensors}),
 * from the single file (OpenCLIP naming for the second encoder, fused q/k/v, transposed projection) and from the
 * diffusers folder: every hidden state of both encoders, the concatenated penultimate context, diffusers' clip_skip=1
 * (clipSkip 2 here), the pooled projected embedding, and {@link DualPromptEncoder}'s A1111-style encoding of the
 * pipeline's prompt and negative prompts ({@code ""} encoded, and zeros for force_zeros_for_empty_prompt).
 * fp32 atol/rtol 1e-4, as the SD1/SD2 text encoder tests.
 */
class SdxlTextEncoderParityTest {
    private static final String[] PROMPTS = {"a photo of a cat", "A painting of a squirrel eating a burger", ""};
    private static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"single", "folder"})
    void matchesReference(String layout) throws Exception {
        Path path = layout.equals("folder") ? Fixtures.diffusersDir("sdxl-tiny") : Fixtures.singleFile("sdxl-tiny");
        Path tokenizers = Fixtures.diffusersDir("sdxl-tiny");
        try (Checkpoint c = CheckpointRecognizer.open(path);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference("sdxl-tiny", "text_encoders.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            // heads are not in the weights: from the folder's configs (the single file gets the same from them)
            XlConfig xl = XlConfig.read(tokenizers);
            int heads1 = org.diffusej.engine.weights.DiffusersConfig.read(tokenizers).textHeads();
            String act1 = c.folder() ? c.config().textHiddenAct() : null;
            String act2 = c.folder() ? xl.text2HiddenAct() : null;
            ClipTokenizer tok1 = layout.equals("folder") ? ClipTokenizer.fromFolder(tokenizers.resolve("tokenizer")) : ClipTokenizer.bundled();
            ClipTokenizer tok2 = layout.equals("folder") ? ClipTokenizer.fromFolder(tokenizers.resolve("tokenizer_2"))
                    : ClipTokenizer.bundled().withPadToken("!");
            NDArray ids1 = m.create(ids(tok1), new Shape(3, 77));
            NDArray ids2 = m.create(ids(tok2), new Shape(3, 77));
            assertArrayEquals(ref.readLongs("input_ids_1"), ids1.toLongArray(), "tokenizer ids");
            assertArrayEquals(ref.readLongs("input_ids_2"), ids2.toLongArray(), "tokenizer_2 ids (pad 0)");
            try (DualTextEncoder enc = DualTextEncoder.load(c.weights(), heads1, act1, xl.text2Heads(), act2, m, DataType.FLOAT32)) {
                assertEquals(14, enc.contextWidth());
                assertEquals(16, enc.pooledWidth());
                NDArray hidden1 = ref.load("te1_hidden_states", m), hidden2 = ref.load("te2_hidden_states", m);
                for (int skip = 1; skip <= 2; skip++) {   // hidden_states[-(1 + skip)] of each encoder
                    assertAllClose(hidden1.get(3 - skip), enc.firstContext(ids1, skip), TOL, TOL, layout + " te1 skip " + skip);
                    assertAllClose(hidden2.get(5 - skip), enc.secondContext(ids2, skip), TOL, TOL, layout + " te2 skip " + skip);
                }
                assertAllClose(ref.load("prompt_embeds", m), enc.firstContext(ids1, 1).concat(enc.secondContext(ids2, 1), 2),
                        TOL, TOL, layout + " prompt_embeds");
                assertAllClose(ref.load("prompt_embeds_clip_skip1", m),
                        enc.firstContext(ids1, 2).concat(enc.secondContext(ids2, 2), 2), TOL, TOL, layout + " clip skip");
                assertAllClose(ref.load("pooled_prompt_embeds", m), enc.pooled(ids2), TOL, TOL, layout + " pooled");

                DualPromptEncoder prompts = new DualPromptEncoder(tok1, tok2, enc, true);
                try (DualPromptEncoder.Conditioning cond = prompts.encodePair(PROMPTS[0], "blurry, low quality", 1, m)) {
                    assertAllClose(ref.load("prompt_embeds", m).get(new NDIndex("0:1")), cond.context().positive(), TOL, TOL, "positive");
                    assertAllClose(ref.load("pooled_prompt_embeds", m).get(new NDIndex("0:1")), cond.pooledPositive(), TOL, TOL, "pooled");
                    assertAllClose(ref.load("negative_prompt_embeds_neg", m), cond.context().negative(), TOL, TOL, "negative");
                    assertAllClose(ref.load("negative_pooled_prompt_embeds_neg", m), cond.pooledNegative(), TOL, TOL, "negative pooled");
                }
                try (DualPromptEncoder.Conditioning encoded = new DualPromptEncoder(tok1, tok2, enc, false).encodePair(PROMPTS[0], "", 1, m);
                     DualPromptEncoder.Conditioning zeros = prompts.encodePair(PROMPTS[0], "", 1, m)) {
                    assertAllClose(ref.load("negative_prompt_embeds_empty", m), encoded.context().negative(), TOL, TOL, "empty");
                    assertAllClose(ref.load("negative_pooled_prompt_embeds_empty", m), encoded.pooledNegative(), TOL, TOL, "empty pooled");
                    assertEquals(0f, zeros.context().negative().abs().sum().getFloat(), "forced zeros");
                    assertEquals(0f, zeros.pooledNegative().abs().sum().getFloat(), "forced zero pooled");
                    assertEquals(new Shape(1, 77, 14), zeros.context().negative().getShape());
                }
            }
        }
    }

    private static long[] ids(ClipTokenizer tok) {
        long[] ids = new long[3 * 77];
        for (int i = 0; i < 3; i++) System.arraycopy(tok.encodePadded(PROMPTS[i], 77), 0, ids, i * 77, 77);
        return ids;
    }
}
