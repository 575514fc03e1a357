package org.diffusej.engine.lora;

import org.diffusej.engine.nn.WeightSlot;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.unet.UNetConfig;
import org.diffusej.engine.weights.KeyMapping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which weight of a loaded model each LoRA module key patches. The table is built from the model itself: the
 * diffusers module names of its UNet (generated from its config, renamed to internal names by {@link KeyMapping},
 * kept when the model has that weight) and of its text encoder, each under its kohya key ({@code lora_unet_} /
 * {@code lora_te_} + the path with {@code _} for {@code .}) and its diffusers key ({@code unet.} /
 * {@code text_encoder.} + the path); kohya keys in LDM naming ({@code lora_unet_input_blocks_1_1_proj_in}) too.
 * OpenCLIP text encoders (SD2 single files) are seen under CLIP's names (the weights layer splits their fused
 * {@code in_proj_weight} into q, k and v at load), so one table serves both.
 */
final class LoraTargets {
    private static final String UNET = "model.diffusion_model.";
    private static final String CLIP = "cond_stage_model.transformer.text_model.";

    /** A weight, or rows {@code [rowStart, rowStart + rows)} of it. */
    record Target(WeightSlot slot, long rowStart, long rows) {
        static Target whole(WeightSlot s) { return new Target(s, 0, s.shape()[0]); }
    }

    private final Map<String, Target> byKey = new HashMap<>();
    private final long textWidth;

    LoraTargets(UNet unet, TextEncoder text) {
        addUNet(unet.config(), unet.weightSlots());
        addText(text.weightSlots());
        this.textWidth = text.config().hidden();
    }

    Target find(String moduleKey) { return byKey.get(moduleKey); }

    /** Width of the text encoder's hidden states (768 SD1, 1024 SD2): names the architecture in messages. */
    long textWidth() { return textWidth; }

    private void addUNet(UNetConfig c, Map<String, WeightSlot> slots) {
        List<String> modules = diffusersUNetModules(c);
        List<String> names = new ArrayList<>();
        for (String m : modules) names.add("unet/" + m + ".weight");
        KeyMapping mapping = new KeyMapping(names);
        for (String m : modules) {
            WeightSlot s = slots.get(mapping.internalName("unet/" + m + ".weight"));
            if (s == null) continue;
            put("lora_unet_" + m.replace('.', '_'), "unet." + m, Target.whole(s));
        }
        for (WeightSlot s : slots.values()) {   // kohya files in LDM naming
            String module = s.name().substring(UNET.length(), s.name().length() - ".weight".length());
            byKey.putIfAbsent("lora_unet_" + module.replace('.', '_'), Target.whole(s));
        }
    }

    /** Every convolution and linear layer of a diffusers UNet2DConditionModel with this config. */
    private static List<String> diffusersUNetModules(UNetConfig c) {
        List<String> out = new ArrayList<>(List.of("conv_in", "conv_out", "time_embedding.linear_1", "time_embedding.linear_2"));
        int levels = c.levels();
        for (int i = 0; i < levels; i++) {
            for (int j = 0; j < c.numResBlocks(); j++) {
                resnet(out, "down_blocks." + i + ".resnets." + j);
                if (c.hasAttention(i)) transformer(out, "down_blocks." + i + ".attentions." + j, c.transformerDepth());
            }
            if (i < levels - 1) out.add("down_blocks." + i + ".downsamplers.0.conv");
            int level = levels - 1 - i;
            for (int j = 0; j <= c.numResBlocks(); j++) {
                resnet(out, "up_blocks." + i + ".resnets." + j);
                if (c.hasAttention(level)) transformer(out, "up_blocks." + i + ".attentions." + j, c.transformerDepth());
            }
            if (i < levels - 1) out.add("up_blocks." + i + ".upsamplers.0.conv");
        }
        resnet(out, "mid_block.resnets.0");
        resnet(out, "mid_block.resnets.1");
        transformer(out, "mid_block.attentions.0", c.transformerDepth());
        return out;
    }

    private static void resnet(List<String> out, String p) {
        for (String part : new String[] {"conv1", "conv2", "time_emb_proj", "conv_shortcut"}) out.add(p + "." + part);
    }

    private static void transformer(List<String> out, String p, int depth) {
        out.add(p + ".proj_in");
        out.add(p + ".proj_out");
        for (int k = 0; k < depth; k++) {
            String b = p + ".transformer_blocks." + k + ".";
            for (String attn : new String[] {"attn1", "attn2"})
                for (String part : new String[] {"to_q", "to_k", "to_v", "to_out.0"}) out.add(b + attn + "." + part);
            out.add(b + "ff.net.0.proj");
            out.add(b + "ff.net.2");
        }
    }

    private void addText(Map<String, WeightSlot> slots) {
        for (WeightSlot s : slots.values()) {
            String n = s.name();
            if (n.startsWith(CLIP)) {
                String module = n.substring(CLIP.length(), n.length() - ".weight".length());
                put("lora_te_text_model_" + module.replace('.', '_'), "text_encoder.text_model." + module, Target.whole(s));
            }
        }
    }

    private void put(String kohya, String diffusers, Target t) {
        byKey.put(kohya, t);
        byKey.put(diffusers, t);
    }
}
