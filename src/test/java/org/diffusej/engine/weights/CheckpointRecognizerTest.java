package org.diffusej.engine.weights;

import org.diffusej.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recognition of real layouts and refusal, with a message saying what the file is, of everything else. */
class CheckpointRecognizerTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @CsvSource({"sd1-tiny,SD1,4", "sd1-inpaint-tiny,SD1,9", "sd2-tiny,SD2,4", "sd15-shape,SD1,4", "sdxl-tiny,SDXL,4",
            "sdxl-inpaint-tiny,SDXL,9"})
    void recognisesSingleFiles(String variant, ModelFamily family, int in) throws Exception {
        try (Checkpoint c = CheckpointRecognizer.open(Fixtures.singleFile(variant))) {
            assertFalse(c.folder());
            assertEquals(family, c.family());
            assertEquals(in, c.unetInChannels());
            assertEquals(Fixtures.singleFile(variant), c.hashFile());
            assertNull(c.config());
            assertNull(c.declaresVPrediction());
        }
    }

    @ParameterizedTest
    @CsvSource({"sd1-tiny,SD1,4,2", "sd1-inpaint-tiny,SD1,9,2", "sd2-tiny,SD2,4,32"})
    void recognisesFolders(String variant, ModelFamily family, int in, int groups) throws Exception {
        try (Checkpoint c = CheckpointRecognizer.open(Fixtures.diffusersDir(variant))) {
            assertTrue(c.folder());
            assertEquals(family, c.family());
            assertEquals(in, c.unetInChannels());
            assertEquals(groups, c.config().unetNormGroups());
            assertEquals(groups, c.config().vaeNormGroups());
            assertEquals(Fixtures.variantFacts(variant).get("scaling_factor").getAsDouble(), c.config().vaeScalingFactor(), 0);
            assertTrue(c.hashFile().endsWith(Path.of("unet", "diffusion_pytorch_model.safetensors")));
        }
    }

    @Test
    void folderConfigFacts() throws Exception {
        DiffusersConfig sd2 = DiffusersConfig.read(Fixtures.diffusersDir("sd2-tiny"));
        assertTrue(sd2.linearProjection());
        assertEquals(16, sd2.unetHeadChannels(0));
        assertEquals(16, sd2.unetHeadChannels(1));
        assertEquals("gelu", sd2.textHiddenAct());
        DiffusersConfig sd1 = DiffusersConfig.read(Fixtures.diffusersDir("sd1-tiny"));
        assertFalse(sd1.linearProjection());
        assertEquals("[2, 2]", Arrays.toString(sd1.unetHeads()));
        assertEquals(8, sd1.crossAttentionDim());
    }

    @Test
    void recognisesSdxlFolder() throws Exception {
        try (Checkpoint c = CheckpointRecognizer.open(Fixtures.diffusersDir("sdxl-tiny"))) {
            assertEquals(ModelFamily.SDXL, c.family());
            assertEquals(0.13025, c.config().vaeScalingFactor(), 0);
            assertTrue(c.weights().contains("conditioner.embedders.1.transformer.text_projection.weight"));
            assertTrue(c.weights().contains("conditioner.embedders.0.transformer.text_model.final_layer_norm.weight"));
            assertTrue(c.weights().contains("model.diffusion_model.label_emb.0.2.weight"));
        }
    }

    @Test
    void refusesSdxlRefinerAndSd3Flux() throws Exception {
        assertRefused(crafted("refiner.safetensors", "model.diffusion_model.input_blocks.0.0.weight",
                "first_stage_model.decoder.conv_in.weight", "model.diffusion_model.label_emb.0.0.weight",
                "conditioner.embedders.0.model.token_embedding.weight"), "XL refiner");
        assertRefused(crafted("half-xl.safetensors", "model.diffusion_model.input_blocks.0.0.weight",
                "first_stage_model.decoder.conv_in.weight",
                "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight"), "no text encoder");
        assertRefused(crafted("sd3.safetensors", "model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight"),
                "Stable Diffusion 3 or Flux");
        assertRefused(crafted("flux.safetensors", "double_blocks.0.img_attn.qkv.weight"), "Stable Diffusion 3 or Flux");
        Path refiner = Files.createDirectories(tmp.resolve("refiner"));
        Files.writeString(refiner.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLImg2ImgPipeline\", "
                + "\"requires_aesthetics_score\": true, \"text_encoder\": [null, null]}");
        assertRefused(refiner, "refiner");
        Path sd3 = Files.createDirectories(tmp.resolve("sd3"));
        Files.writeString(sd3.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusion3Pipeline\"}");
        assertRefused(sd3, "StableDiffusion3Pipeline");
    }

    @Test
    void refusesLora() throws Exception {
        assertRefused(crafted("kohya.safetensors", "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight",
                "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", "lora_unet_x.alpha"), "LoRA");
        assertRefused(crafted("peft.safetensors", "unet.down_blocks.0.attentions.0.to_q.lora_up.weight"), "LoRA");
    }

    @Test
    void refusesPartialModels() throws Exception {
        assertRefused(crafted("vae.safetensors", "encoder.conv_in.weight", "encoder.down.0.block.0.conv1.weight",
                "decoder.up.0.block.0.conv1.weight"), "VAE on its own");
        assertRefused(crafted("te.safetensors", "cond_stage_model.transformer.text_model.final_layer_norm.weight"),
                "text encoder on its own");
        assertRefused(crafted("unknown.safetensors", "foo.weight", "bar.bias"), "unknown kind");
        assertRefused(crafted("novae.safetensors", "model.diffusion_model.input_blocks.0.0.weight",
                "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight"), "no VAE");
        Map<String, long[]> p2p = new LinkedHashMap<>();
        p2p.put("model.diffusion_model.input_blocks.0.0.weight", new long[] {4, 8, 3, 3});
        assertRefused(CraftedSafetensors.write(tmp.resolve("p2p.safetensors"), p2p), "8 input channels");
    }

    @Test
    void acceptsExtraTensorsRealFilesCarry() throws Exception {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.diffusion_model.input_blocks.0.0.weight", new long[] {4, 9, 3, 3});
        shapes.put("first_stage_model.decoder.conv_in.weight", new long[] {2});
        shapes.put("cond_stage_model.model.token_embedding.weight", new long[] {2});
        shapes.put("model_ema.diffusion_modelinput_blocks00weight", new long[] {2});
        shapes.put("model_ema.num_updates", new long[] {1});
        shapes.put("alphas_cumprod", new long[] {1000});
        shapes.put("v_pred", new long[] {1});
        try (Checkpoint c = CheckpointRecognizer.open(CraftedSafetensors.write(tmp.resolve("ema.safetensors"), shapes))) {
            assertEquals(ModelFamily.SD2, c.family());
            assertTrue(c.inpainting());
            assertEquals(Boolean.TRUE, c.declaresVPrediction(), "a v_pred marker tensor declares v-prediction");
        }
    }

    @Test
    void readsOldClipNamesOfEarlySd1Files() throws Exception {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.diffusion_model.input_blocks.0.0.weight", new long[] {4, 4, 3, 3});
        shapes.put("first_stage_model.decoder.conv_in.weight", new long[] {2});
        shapes.put("cond_stage_model.transformer.embeddings.token_embedding.weight", new long[] {3, 2});
        shapes.put("cond_stage_model.transformer.final_layer_norm.weight", new long[] {2});
        try (Checkpoint c = CheckpointRecognizer.open(CraftedSafetensors.write(tmp.resolve("old.safetensors"), shapes))) {
            assertEquals(ModelFamily.SD1, c.family());
            assertArrayEquals(new long[] {3, 2},
                    c.weights().shape("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight"));
            assertTrue(c.weights().contains("cond_stage_model.transformer.text_model.final_layer_norm.weight"));
            assertTrue(c.weights().contains("model.diffusion_model.input_blocks.0.0.weight"));
        }
    }

    @Test
    void refusesTruncatedFile() throws Exception {
        byte[] all = Files.readAllBytes(Fixtures.singleFile("sd1-tiny"));
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertRefused(cut, "truncated");
    }

    @Test
    void neverOpensPickles() throws Exception {
        // a zip-format torch checkpoint and a raw pickle (protocol 2): refused by name and magic bytes alone
        Path ckpt = Files.write(tmp.resolve("model.ckpt"), new byte[] {'P', 'K', 3, 4, 0, 0});
        assertRefused(ckpt, "pickle");
        Path disguised = Files.write(tmp.resolve("model.safetensors"), new byte[] {(byte) 0x80, 2, 'c', 'o', 's', '\n'});
        assertRefused(disguised, "pickle");
        Path folder = tmp.resolve("folder");
        copyFolderWithBinUnet(folder);
        assertRefused(folder, "pickle");
    }

    @Test
    void refusesForeignFolders() throws Exception {
        Path notDiffusers = Files.createDirectories(tmp.resolve("photos"));
        assertRefused(notDiffusers, "model_index.json");
        Path xl = Files.createDirectories(tmp.resolve("xl"));
        Files.writeString(xl.resolve("model_index.json"), "{\"_class_name\": \"StableDiffusionXLPipeline\"}");
        assertRefused(xl, "XL");
        assertRefused(tmp.resolve("missing.safetensors"), "no model file");
    }

    private void copyFolderWithBinUnet(Path folder) throws Exception {
        Path src = Fixtures.diffusersDir("sd1-tiny");
        try (var files = Files.walk(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dst = folder.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else if (p.getFileName().toString().equals("model.safetensors") && p.getParent().endsWith("text_encoder"))
                    Files.write(dst.resolveSibling("pytorch_model.bin"), new byte[] {'P', 'K', 3, 4});
                else Files.copy(p, dst);
            }
        }
    }

    private Path crafted(String name, String... tensorNames) throws Exception {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String n : tensorNames) shapes.put(n, n.endsWith("input_blocks.0.0.weight") ? new long[] {4, 4, 3, 3} : new long[] {2});
        return CraftedSafetensors.write(tmp.resolve(name), shapes);
    }

    private static void assertRefused(Path p, String expectedInMessage) {
        InvalidCheckpointException e = assertThrows(InvalidCheckpointException.class, () -> CheckpointRecognizer.open(p).close());
        assertTrue(e.getMessage().contains(expectedInMessage), () -> "message should mention '" + expectedInMessage + "': " + e.getMessage());
    }
}
