package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SD2's OpenCLIP tensors under CLIP names: every value moved exactly (q‖k‖v = in_proj, projection transposed). */
class OpenClipNamesTest {
    private static final String OPEN = "cond_stage_model.model.";
    private static final String CLIP = "cond_stage_model.transformer.text_model.";

    @Test
    void sd2FileIsSeenUnderClipNamesWithoutItsLastResblock() throws Exception {
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.singleFile("sd2-tiny"));
             NDManager m = NDManager.newBaseManager()) {
            int stored = 0;
            while (file.contains(OPEN + "transformer.resblocks." + stored + ".ln_1.weight")) stored++;
            assertTrue(stored >= 2, "the fixture has resblocks: " + stored);
            OpenClipNames w = new OpenClipNames(new SafetensorsWeightSource(file), "cond_stage_model.", true);
            assertFalse(w.names().stream().anyMatch(n -> n.startsWith(OPEN)), "no OpenCLIP name is left");
            assertTrue(w.contains(CLIP + "encoder.layers." + (stored - 2) + ".layer_norm1.weight"));
            assertFalse(w.contains(CLIP + "encoder.layers." + (stored - 1) + ".layer_norm1.weight"), "last resblock left out");
            assertTrue(w.contains("model.diffusion_model.input_blocks.0.0.weight"), "other names pass unchanged");
            for (String kind : new String[] {"weight", "bias"}) {
                NDList thirds = new NDList();
                for (String p : new String[] {"q_proj", "k_proj", "v_proj"}) {
                    String name = CLIP + "encoder.layers.0.self_attn." + p + "." + kind;
                    NDArray part = w.load(name, m);
                    assertArrayEquals(part.getShape().getShape(), w.shape(name));
                    thirds.add(part);
                }
                NDArray fused = file.load(OPEN + "transformer.resblocks.0.attn.in_proj_" + kind, m);
                assertTrue(fused.contentEquals(NDArrays.concat(thirds, 0)), "q‖k‖v = in_proj_" + kind + " exactly");
            }
            assertTrue(file.load(OPEN + "ln_final.weight", m).contentEquals(w.load(CLIP + "final_layer_norm.weight", m)));
            assertTrue(file.load(OPEN + "transformer.resblocks.0.mlp.c_fc.weight", m)
                    .contentEquals(w.load(CLIP + "encoder.layers.0.mlp.fc1.weight", m)));
            assertTrue(file.load(OPEN + "positional_embedding", m)
                    .contentEquals(w.load(CLIP + "embeddings.position_embedding.weight", m)));
            if (file.contains(OPEN + "text_projection"))
                assertTrue(file.load(OPEN + "text_projection", m).transpose()
                        .contentEquals(w.load("cond_stage_model.transformer.text_projection.weight", m)));
        }
    }
}
