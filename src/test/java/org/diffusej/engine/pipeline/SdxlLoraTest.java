package org.diffusej.engine.pipeline;

import org.diffusej.Fixtures;
import org.diffusej.engine.CancellationToken;
import org.diffusej.engine.Mode;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.ProgressListener;
import org.diffusej.engine.Request;
import org.diffusej.engine.RgbImage;
import org.diffusej.engine.lora.InvalidLoraException;
import org.diffusej.engine.lora.LoraLibrary;
import org.diffusej.engine.lora.LoraRuns;
import org.diffusej.engine.lora.RandomLora;
import org.diffusej.engine.lora.RandomLora.Module;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SDXL LoRAs on sdxl-tiny. There is no SDXL LoRA reference fixture, so the reference is computed here: a random
 * rank-2 LoRA ({@link RandomLora}) over UNet attention (self, cross, proj_in/out, GEGLU), a LoCon 3×3 and 1×1 conv,
 * the added-embedding linear, the first text encoder ({@code lora_te1_}) and the second ({@code lora_te2_}: q, k, v
 * land on row thirds of the single file's fused {@code in_proj_weight}), merged by the test itself into a copy of the
 * single file ({@code W + mult · alpha/rank · up·down} on the stored tensors); a txt2img run of that merged file
 * without tags is the expectation. The same LoRA in kohya naming (UNet keys in LDM naming, as kohya's SDXL trainer
 * writes them) on the single file, and in diffusers naming ({@code unet.}, {@code text_encoder.},
 * {@code text_encoder_2.}) on the single file and on the diffusers folder (separate q/k/v), must give that image
 * within atol 1e-4 (the merge here is in double precision, the engine's in float32; 2 Euler steps), with separate
 * text-encoder / UNet multipliers; the base image must differ from it and come back bit for bit without tags.
 */
public class SdxlLoraTest {
    static final double ATOL = 1e-4;
    static final int RANK = 2;
    static final float ALPHA = 1f;   // kohya scale alpha/rank = 0.5; the peft file has no alpha (scale 1)
    static final double TE = 0.6, UNET = 1.2;
    static final String U = "model.diffusion_model.", T1 = "conditioner.embedders.0.transformer.text_model.",
            T2 = "conditioner.embedders.1.model.transformer.resblocks.";

    @TempDir Path dir;

    /** @param h2 width of the second encoder (its fused in_proj_weight is [3·h2, h2]) */
    public static List<Module> modules(long h2) {
        return List.of(
                Module.of("lora_unet_input_blocks_4_1_transformer_blocks_1_attn1_to_q",
                        "unet.down_blocks.1.attentions.0.transformer_blocks.1.attn1.to_q",
                        U + "input_blocks.4.1.transformer_blocks.1.attn1.to_q.weight"),
                Module.of("lora_unet_input_blocks_5_1_transformer_blocks_0_attn2_to_k",
                        "unet.down_blocks.1.attentions.1.transformer_blocks.0.attn2.to_k",
                        U + "input_blocks.5.1.transformer_blocks.0.attn2.to_k.weight"),
                Module.of("lora_unet_input_blocks_4_1_proj_in", "unet.down_blocks.1.attentions.0.proj_in",
                        U + "input_blocks.4.1.proj_in.weight"),
                Module.of("lora_unet_middle_block_1_transformer_blocks_1_ff_net_0_proj",
                        "unet.mid_block.attentions.0.transformer_blocks.1.ff.net.0.proj",
                        U + "middle_block.1.transformer_blocks.1.ff.net.0.proj.weight"),
                Module.of("lora_unet_output_blocks_2_1_transformer_blocks_1_attn1_to_out_0",
                        "unet.up_blocks.0.attentions.2.transformer_blocks.1.attn1.to_out.0",
                        U + "output_blocks.2.1.transformer_blocks.1.attn1.to_out.0.weight"),
                Module.of("lora_unet_output_blocks_1_1_proj_out", "unet.up_blocks.0.attentions.1.proj_out",
                        U + "output_blocks.1.1.proj_out.weight"),
                Module.of("lora_unet_input_blocks_1_0_in_layers_2", "unet.down_blocks.0.resnets.0.conv1",
                        U + "input_blocks.1.0.in_layers.2.weight"),
                Module.of("lora_unet_output_blocks_4_0_skip_connection", "unet.up_blocks.1.resnets.1.conv_shortcut",
                        U + "output_blocks.4.0.skip_connection.weight"),
                Module.of("lora_unet_label_emb_0_0", "unet.add_embedding.linear_1", U + "label_emb.0.0.weight"),
                Module.of("lora_te1_text_model_encoder_layers_0_self_attn_q_proj",
                        "text_encoder.text_model.encoder.layers.0.self_attn.q_proj",
                        T1 + "encoder.layers.0.self_attn.q_proj.weight"),
                Module.of("lora_te1_text_model_encoder_layers_1_mlp_fc1", "text_encoder.text_model.encoder.layers.1.mlp.fc1",
                        T1 + "encoder.layers.1.mlp.fc1.weight"),
                new Module("lora_te2_text_model_encoder_layers_1_self_attn_q_proj",
                        "text_encoder_2.text_model.encoder.layers.1.self_attn.q_proj", T2 + "1.attn.in_proj_weight", 0, h2),
                new Module("lora_te2_text_model_encoder_layers_2_self_attn_k_proj",
                        "text_encoder_2.text_model.encoder.layers.2.self_attn.k_proj", T2 + "2.attn.in_proj_weight", h2, h2),
                new Module("lora_te2_text_model_encoder_layers_3_self_attn_v_proj",
                        "text_encoder_2.text_model.encoder.layers.3.self_attn.v_proj", T2 + "3.attn.in_proj_weight", 2 * h2, h2),
                Module.of("lora_te2_text_model_encoder_layers_3_self_attn_out_proj",
                        "text_encoder_2.text_model.encoder.layers.3.self_attn.out_proj", T2 + "3.attn.out_proj.weight"),
                Module.of("lora_te2_text_model_encoder_layers_4_mlp_fc2", "text_encoder_2.text_model.encoder.layers.4.mlp.fc2",
                        T2 + "4.mlp.c_proj.weight"));
    }

    /** The random SDXL LoRA of these tests (seed 2026) over sdxl-tiny's single file, written in kohya naming. */
    public static Path writeKohyaLora(Path file) throws Exception {
        Path base = Fixtures.singleFile("sdxl-tiny");
        long h2;
        try (var f = org.diffusej.engine.weights.SafetensorsFile.open(base)) {
            h2 = f.info(T2 + "0.attn.in_proj_weight").shape()[1];
        }
        return RandomLora.of(base, modules(h2), RANK, 2026).writeKohya(file, ALPHA);
    }

    @Test
    void kohyaAndDiffusersNamingsEqualTheMergedWeights() throws Exception {
        Path base = Fixtures.singleFile("sdxl-tiny");
        long h2;
        try (var f = org.diffusej.engine.weights.SafetensorsFile.open(base)) {
            h2 = f.info(T2 + "0.attn.in_proj_weight").shape()[1];
        }
        RandomLora lora = RandomLora.of(base, modules(h2), RANK, 2026);
        Path loras = dir.resolve("loras");
        java.nio.file.Files.createDirectories(loras);
        lora.writeKohya(loras.resolve("xl_kohya.safetensors"), ALPHA);
        lora.writeDiffusers(loras.resolve("xl_peft.safetensors"));
        double kohyaScale = ALPHA / RANK;
        Path merged = lora.writeMerged(base, dir.resolve("merged.safetensors"), TE * kohyaScale, UNET * kohyaScale);
        String kohyaTag = " <lora:xl_kohya:" + TE + ":" + UNET + ">";
        String peftTag = " <lora:xl_peft:" + TE * kohyaScale + ":" + UNET * kohyaScale + ">";

        RgbImage expected;
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(merged, Fixtures.singleFileOptions("sdxl-tiny")))) {
            expected = generate(p, "");
        }
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(base, Fixtures.singleFileOptions("sdxl-tiny")))) {
            p.loras().setLibrary(LoraLibrary.of(List.of(loras)));
            RgbImage plain = generate(p, "");
            assertTrue(LoraRuns.maxDiff(plain, expected) > 1e-2, "the LoRA changes the image: " + LoraRuns.maxDiff(plain, expected));
            assertClose(expected, generate(p, kohyaTag), "kohya naming on the single file");
            assertClose(expected, generate(p, peftTag), "diffusers naming on the single file (fused q/k/v)");
            assertEquals(0.0, LoraRuns.maxDiff(plain, generate(p, "")), "restored bit for bit");
        }
        try (Pipeline p = new Pipeline(StableDiffusionModel.load(Fixtures.diffusersDir("sdxl-tiny"), ModelOptions.cpu()))) {
            p.loras().setLibrary(LoraLibrary.of(List.of(loras)));
            assertClose(expected, generate(p, peftTag), "diffusers naming on the diffusers folder");
            assertClose(expected, generate(p, kohyaTag), "kohya naming on the diffusers folder");
            String msg = assertThrows(InvalidLoraException.class, () -> p.loras().activate("x <lora:sd1:1>")).getMessage();
            assertTrue(msg.contains("sd1"), msg);
        }
    }

    /** The sd1-tiny fixture LoRA (lora_te_, SD1 UNet) on SDXL: refused, naming the families. */
    @Test
    void sd1LoraOnSdxlIsRefused() throws Exception {
        try (StableDiffusionModel model = StableDiffusionModel.load(Fixtures.diffusersDir("sdxl-tiny"), ModelOptions.cpu())) {
            model.loras().setLibrary(LoraLibrary.empty().withFile(Fixtures.lora("kohya_alpha1.safetensors")));
            String msg = assertThrows(InvalidLoraException.class,
                    () -> model.loras().activate("a cat <lora:kohya_alpha1:1>")).getMessage();
            assertTrue(msg.contains("SDXL") && msg.contains("Nothing was applied"), msg);
            assertEquals(0, model.loras().patcher().patchedBytes());
        }
    }

    private static RgbImage generate(Pipeline p, String tags) throws Exception {
        Request r = Request.builder(Mode.TXT2IMG).prompt("a photo of a cat" + tags).negativePrompt("blurry, low quality")
                .seed(7).steps(2).sampler("Euler").cfgScale(5).size(64, 64).build();
        return p.generate(r, ProgressListener.NONE, new CancellationToken()).images().get(0);
    }

    private static void assertClose(RgbImage expected, RgbImage got, String what) {
        double d = LoraRuns.maxDiff(expected, got);
        assertTrue(d <= ATOL, what + ": max |diff| " + d + " > " + ATOL);
    }
}
