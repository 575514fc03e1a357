package org.diffusej.engine.weights;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Diffusers tensor names to internal (original-LDM single-file) names, for one diffusers folder. Names are given
 * with their component folder: {@code unet/down_blocks.0.resnets.0.conv1.weight},
 * {@code vae/decoder.up_blocks.0.upsamplers.0.conv.weight}, {@code text_encoder/text_model.final_layer_norm.bias}.
 * <p>
 * The block tables are built in loops from the folder's own key set (levels, layers per block, which up blocks have
 * attention): UNet {@code down_blocks[i].resnets[j]} is {@code input_blocks[1 + i*(lpb+1) + j].0}, its attention
 * {@code .1}, its downsampler {@code input_blocks[1 + i*(lpb+1) + lpb].0.op}; {@code up_blocks[i]} (lpb+1 layers)
 * is {@code output_blocks[i*(lpb+1) + j]}, the upsampler sits at {@code .1.conv} or, after an attention,
 * {@code .2.conv}; the VAE decoder's {@code up_blocks[i]} is {@code up[levels-1-i]}. A text encoder folder (CLIP
 * layout in SD1 and SD2 folders alike) maps to {@code cond_stage_model.transformer.text_model.*}. In an SDXL folder (one
 * with {@code text_encoder_2/}) the two encoders map to the sgm embedders, keeping HF naming:
 * {@code conditioner.embedders.0.transformer.text_model.*} and {@code conditioner.embedders.1.transformer.text_model.*}
 * (+ {@code conditioner.embedders.1.transformer.text_projection.weight}); the UNet's {@code add_embedding.linear_1/2}
 * is LDM's {@code label_emb.0.0/0.2}.
 * <p>
 * Shapes: the VAE mid-block attention q/k/v/proj_out are linear {@code [C,C]} in diffusers and 1×1 convolutions
 * {@code [C,C,1,1]} in LDM files; the internal name always carries the LDM shape ({@link DiffusersFolderWeightSource}
 * reshapes on load). Every other tensor has the same shape under both names.
 */
public final class KeyMapping {
    private static final Pattern UNET_DOWN = Pattern.compile("down_blocks\\.(\\d+)\\.(resnets|attentions|downsamplers)\\.(\\d+)\\.(.*)");
    private static final Pattern UNET_UP = Pattern.compile("up_blocks\\.(\\d+)\\.(resnets|attentions|upsamplers)\\.(\\d+)\\.(.*)");
    private static final Pattern VAE_BLOCK = Pattern.compile("(encoder|decoder)\\.(down_blocks|up_blocks)\\.(\\d+)\\.(resnets|downsamplers|upsamplers)\\.(\\d+)\\.(.*)");

    private final Map<String, String> prefixes = new HashMap<>();
    private final Map<String, String> unetResnetParts = new HashMap<>();
    private final Map<String, String> vaeAttentionParts = new HashMap<>();
    private final int unetLayersPerBlock;
    private final int vaeLevels;
    private final boolean[] upBlockHasAttention;
    private final boolean xl;

    /** A mapping for the folder whose diffusers names (with component prefix) are {@code diffusersNames}. */
    public KeyMapping(Collection<String> diffusersNames) {
        int lpb = 0, upBlocks = 0, vaeUp = 0;
        boolean secondEncoder = false;
        for (String n : diffusersNames) {
            secondEncoder |= n.startsWith("text_encoder_2/");
            Matcher m = UNET_DOWN.matcher(stripComponent(n, "unet/"));
            if (m.matches() && m.group(2).equals("resnets")) lpb = Math.max(lpb, Integer.parseInt(m.group(3)) + 1);
            m = UNET_UP.matcher(stripComponent(n, "unet/"));
            if (m.matches()) upBlocks = Math.max(upBlocks, Integer.parseInt(m.group(1)) + 1);
            m = VAE_BLOCK.matcher(stripComponent(n, "vae/"));
            if (m.matches() && m.group(1).equals("decoder")) vaeUp = Math.max(vaeUp, Integer.parseInt(m.group(3)) + 1);
        }
        this.xl = secondEncoder;
        this.unetLayersPerBlock = lpb;
        this.vaeLevels = vaeUp;
        this.upBlockHasAttention = new boolean[upBlocks];
        for (String n : diffusersNames) {
            Matcher m = UNET_UP.matcher(stripComponent(n, "unet/"));
            if (m.matches() && m.group(2).equals("attentions")) upBlockHasAttention[Integer.parseInt(m.group(1))] = true;
        }
        buildTables();
    }

    private void buildTables() {
        String[][] unetTop = {
                {"time_embedding.linear_1.", "time_embed.0."}, {"time_embedding.linear_2.", "time_embed.2."},
                {"time_embedding.cond_proj.", "time_embed.cond_proj."},
                {"conv_in.", "input_blocks.0.0."}, {"conv_norm_out.", "out.0."}, {"conv_out.", "out.2."},
                {"mid_block.resnets.0.", "middle_block.0."}, {"mid_block.attentions.0.", "middle_block.1."},
                {"mid_block.resnets.1.", "middle_block.2."},
                {"add_embedding.linear_1.", "label_emb.0.0."}, {"add_embedding.linear_2.", "label_emb.0.2."}};
        for (String[] p : unetTop) prefixes.put("unet/" + p[0], "model.diffusion_model." + p[1]);
        String[][] resnet = {{"norm1", "in_layers.0"}, {"conv1", "in_layers.2"}, {"time_emb_proj", "emb_layers.1"},
                {"norm2", "out_layers.0"}, {"conv2", "out_layers.3"}, {"conv_shortcut", "skip_connection"}};
        for (String[] p : resnet) unetResnetParts.put(p[0], p[1]);

        String[][] vaeTop = {{"conv_in.", "conv_in."}, {"conv_out.", "conv_out."}, {"conv_norm_out.", "norm_out."},
                {"mid_block.resnets.0.", "mid.block_1."}, {"mid_block.resnets.1.", "mid.block_2."}};
        for (String part : new String[] {"encoder", "decoder"})
            for (String[] p : vaeTop)
                prefixes.put("vae/" + part + "." + p[0], "first_stage_model." + part + "." + p[1]);
        for (String conv : new String[] {"quant_conv.", "post_quant_conv."})
            prefixes.put("vae/" + conv, "first_stage_model." + conv);
        // current diffusers names, then the legacy ones older folders still carry
        String[][] attention = {{"group_norm", "norm"}, {"to_q", "q"}, {"to_k", "k"}, {"to_v", "v"}, {"to_out.0", "proj_out"},
                {"query", "q"}, {"key", "k"}, {"value", "v"}, {"proj_attn", "proj_out"}};
        for (String[] p : attention) vaeAttentionParts.put(p[0], p[1]);

        if (xl) {
            prefixes.put("text_encoder/text_model.", "conditioner.embedders.0.transformer.text_model.");
            prefixes.put("text_encoder_2/text_model.", "conditioner.embedders.1.transformer.text_model.");
            prefixes.put("text_encoder_2/text_projection.", "conditioner.embedders.1.transformer.text_projection.");
        } else {
            prefixes.put("text_encoder/text_model.", "cond_stage_model.transformer.text_model.");
        }
    }

    /**
     * The internal name of a diffusers tensor, or null when the tensor has no place in the internal model (e.g.
     * a text encoder's {@code position_ids} buffer or an unknown extra).
     */
    public String internalName(String diffusersName) {
        if (diffusersName.startsWith("unet/")) {
            String key = diffusersName.substring(5);
            Matcher m = UNET_DOWN.matcher(key);
            if (m.matches()) return unetDown(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)), m.group(4));
            m = UNET_UP.matcher(key);
            if (m.matches()) return unetUp(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)), m.group(4));
            if (key.startsWith("mid_block.resnets.")) return byPrefix(diffusersName, true);
        }
        if (diffusersName.startsWith("vae/")) {
            Matcher m = VAE_BLOCK.matcher(diffusersName.substring(4));
            if (m.matches()) return vaeBlock(m);
            if (diffusersName.contains(".mid_block.attentions.0.")) {
                int at = diffusersName.indexOf(".mid_block.attentions.0.");
                String part = diffusersName.substring(4, at);
                String rest = diffusersName.substring(at + ".mid_block.attentions.0.".length());
                for (Map.Entry<String, String> e : vaeAttentionParts.entrySet())
                    if (rest.startsWith(e.getKey() + "."))
                        return "first_stage_model." + part + ".mid.attn_1." + e.getValue() + rest.substring(e.getKey().length());
                return null;
            }
            return byPrefix(diffusersName, false);
        }
        if (diffusersName.endsWith("position_ids")) return null;
        return byPrefix(diffusersName, false);
    }

    private String unetDown(int level, String kind, int j, String rest) {
        int index = 1 + level * (unetLayersPerBlock + 1) + j;
        return switch (kind) {
            case "resnets" -> unet("input_blocks." + index + ".0." + resnetPart(rest));
            case "attentions" -> unet("input_blocks." + index + ".1." + rest);
            default -> rest.startsWith("conv.")
                    ? unet("input_blocks." + (1 + level * (unetLayersPerBlock + 1) + unetLayersPerBlock) + ".0.op." + rest.substring(5))
                    : null;
        };
    }

    private String unetUp(int level, String kind, int j, String rest) {
        int layers = unetLayersPerBlock + 1;
        return switch (kind) {
            case "resnets" -> unet("output_blocks." + (level * layers + j) + ".0." + resnetPart(rest));
            case "attentions" -> unet("output_blocks." + (level * layers + j) + ".1." + rest);
            default -> rest.startsWith("conv.")
                    ? unet("output_blocks." + (level * layers + layers - 1) + "." + (upBlockHasAttention[level] ? 2 : 1) + "." + rest)
                    : null;
        };
    }

    private String vaeBlock(Matcher m) {
        String part = m.group(1);
        int block = Integer.parseInt(m.group(3));
        int level = part.equals("decoder") ? vaeLevels - 1 - block : block;
        String side = part.equals("decoder") ? ".up." : ".down.";
        String prefix = "first_stage_model." + part + side + level;
        String rest = m.group(6);
        return switch (m.group(4)) {
            case "resnets" -> prefix + ".block." + m.group(5) + "." + (rest.startsWith("conv_shortcut.")
                    ? "nin_shortcut" + rest.substring("conv_shortcut".length()) : rest);
            case "downsamplers" -> prefix + ".downsample." + rest;
            default -> prefix + ".upsample." + rest;
        };
    }

    private String resnetPart(String rest) {
        int dot = rest.indexOf('.');
        String part = unetResnetParts.get(rest.substring(0, dot));
        return part == null ? rest : part + rest.substring(dot);
    }

    private String byPrefix(String diffusersName, boolean unetResnet) {
        for (Map.Entry<String, String> e : prefixes.entrySet())
            if (diffusersName.startsWith(e.getKey())) {
                String rest = diffusersName.substring(e.getKey().length());
                return e.getValue() + (unetResnet ? resnetPart(rest) : rest);
            }
        return null;
    }

    private static String unet(String ldm) { return "model.diffusion_model." + ldm; }

    private static String stripComponent(String name, String component) {
        return name.startsWith(component) ? name.substring(component.length()) : "";
    }
}
