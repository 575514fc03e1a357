package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.Fixtures;
import org.diffusej.engine.runtime.Bf16Gate;
import org.diffusej.engine.nn.AllClose;
import org.diffusej.engine.weights.Checkpoint;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.SafetensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parity with the reference text encoders (transformers CLIPTextModel, pipeline style) from both layouts:
 * {@code pipeline_prompt_embeds} (clipSkip 1) and {@code pipeline_prompt_embeds_clip_skip1} (diffusers' clip_skip=1,
 * which is clipSkip 2 here), fp32 atol/rtol 1e-4; fp16 weights and activations atol/rtol 1e-2; bfloat16 compute
 * (linear layers in bf16, 2^-8 relative step, 8× fp16's) atol/rtol 5e-2, where bf16 passes its self-test on this
 * host ({@link Bf16Gate}).
 */
class TextEncoderTest {
    /** Single files do not record heads: they come from the variant's diffusers config; a folder reads its own. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"sd1-tiny,single,2", "sd1-tiny,folder,2", "sd1-inpaint-tiny,single,2", "sd1-inpaint-tiny,folder,2",
            "sd2-tiny,single,5", "sd2-tiny,folder,5", "sd15-shape,single,3"})
    void matchesReference(String variant, String layout, int layersRun) throws Exception {
        boolean folder = layout.equals("folder");
        Path path = folder ? Fixtures.diffusersDir(variant) : Fixtures.singleFile(variant);
        assertEquals(layersRun, check(variant, path, folder ? 0 : Fixtures.textHeads(variant), DataType.FLOAT32, 1e-4).layers());
    }

    @ParameterizedTest(name = "{0} fp16")
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny", "sd15-shape"})
    void halfPrecisionWithinStatedTolerance(String variant) throws Exception {
        check(variant, Fixtures.singleFile(variant), Fixtures.textHeads(variant), DataType.FLOAT16, 1e-2);
    }

    @ParameterizedTest(name = "{0} bf16")
    @ValueSource(strings = {"sd1-tiny", "sd2-tiny", "sd15-shape"})
    void bfloat16ComputeWithinStatedTolerance(String variant) throws Exception {
        Bf16Gate.assumeBf16Qualifies();
        check(variant, Fixtures.singleFile(variant), Fixtures.textHeads(variant), DataType.BFLOAT16, 5e-2);
    }

    private static TextEncoder.Config check(String variant, Path path, int heads, DataType dtype, double tol) throws Exception {
        try (Checkpoint c = CheckpointRecognizer.open(path);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.reference(variant, "text_encoder.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            int h = heads > 0 ? heads : c.config().textHeads();
            String act = c.config() != null ? c.config().textHiddenAct() : c.family().textHiddenAct();
            TextEncoder.Config config = TextEncoder.Config.detect(c.weights(), h, act);
            ClipTokenizer tok = c.folder() ? ClipTokenizer.fromFolder(path.resolve("tokenizer"))
                    : variant.startsWith("sd2") ? ClipTokenizer.fromFolder(Fixtures.diffusersDir(variant).resolve("tokenizer"))
                    : ClipTokenizer.bundled();
            String[] prompts = Fixtures.textEncoderPrompts(variant);
            long[] ids = new long[prompts.length * 77];
            for (int i = 0; i < prompts.length; i++) System.arraycopy(tok.encodePadded(prompts[i], 77), 0, ids, i * 77, 77);
            assertArrayEquals(ref.readLongs("input_ids"), ids, "tokenizer ids of the reference prompts");
            long hidden = ref.info("last_hidden_state").shape()[2];
            try (TextEncoder enc = TextEncoder.load(c.weights(), config, m, dtype)) {
                assertEquals(hidden, config.hidden());
                NDArray input = m.create(ids, new Shape(prompts.length, 77));
                String what = variant + " " + path.getFileName() + " " + dtype;
                NDArray last = enc.encode(input, 1);
                assertEquals(DataType.FLOAT32, last.getDataType());
                AllClose.assertAllClose(ref.load("pipeline_prompt_embeds", m), last, tol, tol, what + " clipSkip 1");
                AllClose.assertAllClose(ref.load("pipeline_prompt_embeds_clip_skip1", m), enc.encode(input, 2), tol, tol,
                        what + " clipSkip 2");
            }
            return config;
        }
    }
}
