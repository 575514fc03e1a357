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
 * kept when the model has that weight) and of its text encoders, each under its kohya key ({@code lora_unet_} /
 * {@code lora_te_} + the path with {@code _} for {@code .}) and its diffusers key ({@code unet.} /
 * {@code text_encoder.} + the path); kohya keys in LDM naming ({@code lora_unet_input_blocks_1_1_proj_in}, what
 * kohya's SDXL trainer writes) too. SDXL's encoders are {@code lora_te1_}/{@code text_encoder.} (CLIP ViT-L,
 * {@code conditioner.embedders.0.}) and {@code lora_te2_}/{@code text_encoder_2.} (OpenCLIP bigG,
 * {@code conditioner.embedders.1.}). OpenCLIP encoders in single files (SD2, SDXL's second) are seen under CLIP's
 * names (the weights layer splits their fused {@code in_proj_weight} into q, k and v at load), so one table serves all.
 */
final class LoraTargets {
    private static final String UNET = "model.diffusion_model.";
    /** One text encoder's internal root and the key prefixes LoRA files use for it. */
    private record TextRoot(String root, String kohya, String diffusers) { }
    private static final List<TextRoot> TEXT_ROOTS = List.of(
            new TextRoot("cond_stage_model.", "lora_te_", "text_encoder."),
            new TextRoot("conditioner.embedders.0.", "lora_te1_", "text_encoder."),
            new TextRoot("conditioner.embedders.1.", "lora_te2_", "text_encoder_2."));

    /** The weight a LoRA module patches, whole. */
    record Target(WeightSlot slot) {
        static Target whole(WeightSlot s) { return new Target(s); }
        long rows() { return slot.shape()[0]; }
    }

    private final Map<String, Target> byKey = new HashMap<>();
    private final long textWidth;
    private final boolean xl;

    /**
     * @param textSlots the text encoders' weight slots (one encoder, or SDXL's two under their roots)
     * @param textWidth width of the (first) text encoder's hidden states
     */
    LoraTargets(UNet unet, Map<String, WeightSlot> textSlots, long textWidth) {
        addUNet(unet.config(), unet.weightSlots());
        addText(textSlots);
        this.textWidth = textWidth;
        this.xl = unet.config().hasVectorConditioning();
    }

    Target find(String moduleKey) { return byKey.get(moduleKey); }

    /** Width of the (first) text encoder's hidden states (768 SD1, 1024 SD2): names the architecture in messages. */
    long textWidth() { return textWidth; }

    /** True for an SDXL UNet (vector conditioning). */
    boolean xl() { return xl; }

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
        if (c.hasVectorConditioning()) out.addAll(List.of("add_embedding.linear_1", "add_embedding.linear_2"));
        int levels = c.levels();
        for (int i = 0; i < levels; i++) {
            for (int j = 0; j < c.numResBlocks(); j++) {
                resnet(out, "down_blocks." + i + ".resnets." + j);
                if (c.hasAttention(i)) transformer(out, "down_blocks." + i + ".attentions." + j, c.depthAt(i));
            }
            if (i < levels - 1) out.add("down_blocks." + i + ".downsamplers.0.conv");
            int level = levels - 1 - i;
            for (int j = 0; j <= c.numResBlocks(); j++) {
                resnet(out, "up_blocks." + i + ".resnets." + j);
                if (c.hasAttention(level)) transformer(out, "up_blocks." + i + ".attentions." + j, c.depthAt(level));
            }
            if (i < levels - 1) out.add("up_blocks." + i + ".upsamplers.0.conv");
        }
        resnet(out, "mid_block.resnets.0");
        resnet(out, "mid_block.resnets.1");
        transformer(out, "mid_block.attentions.0", c.middleDepth());
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
        for (WeightSlot s : slots.values())
            for (TextRoot r : TEXT_ROOTS) {
                String clip = r.root() + "transformer.text_model.";
                String n = s.name();
                if (n.startsWith(clip)) {
                    String module = n.substring(clip.length(), n.length() - ".weight".length());
                    putText(r, module, Target.whole(s));
                }
            }
    }

    /** {@code module} is a path below transformers' {@code text_model.}. */
    private void putText(TextRoot r, String module, Target t) {
        put(r.kohya() + "text_model_" + module.replace('.', '_'), r.diffusers() + "text_model." + module, t);
    }

    private void put(String kohya, String diffusers, Target t) {
        byKey.put(kohya, t);
        byKey.put(diffusers, t);
    }
}
