package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A diffusers folder under internal names must be the variant's LDM single file, name for name and bit for bit. */
class KeyMappingTest {

    @ParameterizedTest
    @ValueSource(strings = {"sd1-tiny", "sd1-inpaint-tiny", "sd2-tiny"})
    void folderEqualsSingleFileUnderInternalNames(String variant) throws Exception {
        boolean sd1 = !variant.startsWith("sd2");
        try (DiffusersFolderWeightSource folder = DiffusersFolderWeightSource.open(Fixtures.diffusersDir(variant));
             SafetensorsFile single = SafetensorsFile.open(Fixtures.singleFile(variant));
             NDManager m = NDManager.newBaseManager()) {
            Set<String> expected = new TreeSet<>();
            for (String n : single.names())
                if (n.startsWith("model.diffusion_model.") || n.startsWith("first_stage_model.")
                        || (sd1 && n.startsWith("cond_stage_model.") && !n.endsWith("position_ids")))
                    expected.add(n);
            Set<String> mapped = new TreeSet<>(folder.names());
            if (!sd1) mapped.removeIf(n -> n.startsWith("cond_stage_model.")); // SD2 single files hold OpenCLIP names
            assertEquals(expected, mapped);
            for (String n : mapped) {
                assertArrayEquals(single.info(n).shape(), folder.shape(n), n);
                NDArray a = folder.load(n, m);
                assertArrayEquals(single.info(n).shape(), a.getShape().getShape(), n);
                assertArrayEquals(single.readFloats(n), a.toFloatArray(), 0f, n);
            }
        }
    }

    @Test
    void sd15ShapeIndexRule() {
        // SD1.5 topology: 4 levels, 2 resnets per down block, attention on levels 0-2 only
        List<String> names = List.of("unet/down_blocks.3.resnets.1.conv1.weight", "unet/up_blocks.0.resnets.2.norm1.weight",
                "unet/up_blocks.1.attentions.0.norm.weight", "unet/up_blocks.0.upsamplers.0.conv.weight",
                "unet/up_blocks.1.upsamplers.0.conv.weight", "vae/decoder.up_blocks.3.resnets.0.conv1.weight");
        KeyMapping k = new KeyMapping(names);
        assertEquals("model.diffusion_model.input_blocks.11.0.in_layers.2.weight", k.internalName(names.get(0)));
        assertEquals("model.diffusion_model.output_blocks.2.0.in_layers.0.weight", k.internalName(names.get(1)));
        assertEquals("model.diffusion_model.output_blocks.3.1.norm.weight", k.internalName(names.get(2)));
        assertEquals("model.diffusion_model.output_blocks.2.1.conv.weight", k.internalName(names.get(3)));
        assertEquals("model.diffusion_model.output_blocks.5.2.conv.weight", k.internalName(names.get(4)));
        assertEquals("first_stage_model.decoder.up.0.block.0.conv1.weight", k.internalName(names.get(5)));
        assertEquals("model.diffusion_model.input_blocks.3.0.op.weight",
                k.internalName("unet/down_blocks.0.downsamplers.0.conv.weight"));
        assertEquals("first_stage_model.encoder.mid.attn_1.proj_out.bias",
                k.internalName("vae/encoder.mid_block.attentions.0.proj_attn.bias"), "legacy VAE attention names");
        assertNull(k.internalName("text_encoder/text_model.embeddings.position_ids"));
        assertEquals("model.diffusion_model.label_emb.0.0.weight", k.internalName("unet/add_embedding.linear_1.weight"),
                "SDXL's text_time added embedding is LDM's label_emb");
        assertEquals("cond_stage_model.transformer.text_model.final_layer_norm.bias",
                k.internalName("text_encoder/text_model.final_layer_norm.bias"));
    }

    @Test
    void sdxlFolderMapsBothTextEncodersToTheSgmEmbedders() {
        List<String> names = List.of("text_encoder/text_model.final_layer_norm.bias",
                "text_encoder_2/text_model.encoder.layers.0.self_attn.q_proj.weight", "text_encoder_2/text_projection.weight",
                "unet/add_embedding.linear_2.bias");
        KeyMapping k = new KeyMapping(names);
        assertEquals("conditioner.embedders.0.transformer.text_model.final_layer_norm.bias", k.internalName(names.get(0)));
        assertEquals("conditioner.embedders.1.transformer.text_model.encoder.layers.0.self_attn.q_proj.weight",
                k.internalName(names.get(1)));
        assertEquals("conditioner.embedders.1.transformer.text_projection.weight", k.internalName(names.get(2)));
        assertEquals("model.diffusion_model.label_emb.0.2.bias", k.internalName(names.get(3)));
    }
}
