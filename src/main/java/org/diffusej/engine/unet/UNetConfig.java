package org.diffusej.engine.unet;

import org.diffusej.engine.weights.DiffusersConfig;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape of an SD1/SD2/SDXL UNet (LDM {@code UNetModel} parameters). Heads are either a fixed count per attention block
 * ({@code numHeads}, SD1) or derived from a fixed head width ({@code headChannels}, SD2, SDXL); the unused one is 0.
 *
 * @param inChannels       4, or 9 for inpainting models (latents, mask, masked-image latents)
 * @param modelChannels    width of the first level (320 in SD)
 * @param channelMult      width multiplier per resolution level
 * @param numResBlocks     residual blocks per level on the way down (one more on the way up)
 * @param attentionLevels  indices of the levels that have spatial transformers
 * @param numHeads         heads per attention block, or 0
 * @param headChannels     channels per head, or 0
 * @param contextDim       width of the text encoder states (768 SD1, 1024 SD2)
 * @param linearProjection proj_in/proj_out are linear layers (SD2) instead of 1×1 convolutions (SD1)
 * @param normGroups       group-norm groups (32 in every real SD model; not stored in checkpoints)
 * @param transformerDepth transformer blocks per spatial transformer (every level; see {@code levelDepths})
 * @param levelDepths      transformer blocks per level (SDXL: 1, 2, 10; the middle block takes the last level's), or
 *                         empty when every level has {@code transformerDepth}
 * @param admInChannels    width of the vector conditioning {@code y} of LDM's {@code label_emb} (SDXL's pooled text
 *                         embedding + time-id features, 2816), or 0 for UNets without it
 * @param timeCondProjDim  width of the guidance embedding an LCM-distilled UNet adds to its timestep features
 *                         (diffusers' {@code time_cond_proj_dim}, 256 in LCM_Dreamshaper_v7), 0 for none
 */
public record UNetConfig(int inChannels, int modelChannels, List<Integer> channelMult, int numResBlocks,
                         List<Integer> attentionLevels, int numHeads, int headChannels, int contextDim,
                         boolean linearProjection, int normGroups, int transformerDepth, List<Integer> levelDepths,
                         int admInChannels, int timeCondProjDim) {

    private static final String PREFIX = "model.diffusion_model.";
    /** SD1's fixed head count. */
    public static final int SD1_HEADS = 8;
    /** SD2's fixed head width. */
    public static final int SD2_HEAD_CHANNELS = 64;

    /** An SD1/SD2-style configuration: one transformer depth everywhere, no vector conditioning, no guidance embedding. */
    public UNetConfig(int inChannels, int modelChannels, List<Integer> channelMult, int numResBlocks,
                      List<Integer> attentionLevels, int numHeads, int headChannels, int contextDim,
                      boolean linearProjection, int normGroups, int transformerDepth) {
        this(inChannels, modelChannels, channelMult, numResBlocks, attentionLevels, numHeads, headChannels, contextDim,
                linearProjection, normGroups, transformerDepth, List.of(), 0, 0);
    }

    /** An SD1/SD2-style configuration with an LCM guidance embedding of width {@code timeCondProjDim} (0: none). */
    public UNetConfig(int inChannels, int modelChannels, List<Integer> channelMult, int numResBlocks,
                      List<Integer> attentionLevels, int numHeads, int headChannels, int contextDim,
                      boolean linearProjection, int normGroups, int transformerDepth, int timeCondProjDim) {
        this(inChannels, modelChannels, channelMult, numResBlocks, attentionLevels, numHeads, headChannels, contextDim,
                linearProjection, normGroups, transformerDepth, List.of(), 0, timeCondProjDim);
    }

    /** A configuration with per-level depths and vector conditioning (SDXL), without guidance embedding. */
    public UNetConfig(int inChannels, int modelChannels, List<Integer> channelMult, int numResBlocks,
                      List<Integer> attentionLevels, int numHeads, int headChannels, int contextDim,
                      boolean linearProjection, int normGroups, int transformerDepth, List<Integer> levelDepths,
                      int admInChannels) {
        this(inChannels, modelChannels, channelMult, numResBlocks, attentionLevels, numHeads, headChannels, contextDim,
                linearProjection, normGroups, transformerDepth, levelDepths, admInChannels, 0);
    }

    public UNetConfig {
        channelMult = List.copyOf(channelMult);
        attentionLevels = List.copyOf(attentionLevels);
        levelDepths = List.copyOf(levelDepths);
        if (!levelDepths.isEmpty() && levelDepths.size() != channelMult.size())
            throw new IllegalArgumentException("levelDepths needs one entry per level");
        if (admInChannels < 0) throw new IllegalArgumentException("admInChannels must not be negative");
        if ((numHeads > 0) == (headChannels > 0))
            throw new IllegalArgumentException("exactly one of numHeads and headChannels must be positive");
        if (channelMult.isEmpty() || numResBlocks < 1 || normGroups < 1 || transformerDepth < 1 || timeCondProjDim < 0)
            throw new IllegalArgumentException("invalid UNet configuration");
    }

    /** Stable Diffusion 1.x (4 input channels; use {@link #withInChannels} for the inpainting model). */
    public static UNetConfig sd1() {
        return new UNetConfig(4, 320, List.of(1, 2, 4, 4), 2, List.of(0, 1, 2), SD1_HEADS, 0, 768,
                false, 32, 1);
    }

    /** Stable Diffusion 2.x. */
    public static UNetConfig sd2() {
        return new UNetConfig(4, 320, List.of(1, 2, 4, 4), 2, List.of(0, 1, 2), 0, SD2_HEAD_CHANNELS, 1024,
                true, 32, 1);
    }

    /**
     * Reads the configuration from tensor shapes. Heads cannot be seen in shapes: they take the family default
     * (linear projection = SD2 = 64-channel heads, else SD1's 8 heads); override with {@link #withHeads} or
     * {@link #withHeadChannels} when a model differs.
     */
    public static UNetConfig detect(WeightSource w, int normGroups) throws InvalidCheckpointException {
        String conv0 = PREFIX + "input_blocks.0.0.weight";
        if (!w.contains(conv0))
            throw new InvalidCheckpointException("The checkpoint has no UNet (no tensor '" + conv0 + "').");
        long[] inConv = w.shape(conv0);
        int modelChannels = (int) inConv[0];
        int inChannels = (int) inConv[1];
        int maxInput = 0;
        int firstDown = -1;
        int downs = 0;
        for (String name : w.names()) {
            if (!name.startsWith(PREFIX + "input_blocks.")) continue;
            String rest = name.substring((PREFIX + "input_blocks.").length());
            int index = Integer.parseInt(rest.substring(0, rest.indexOf('.')));
            maxInput = Math.max(maxInput, index);
            if (rest.endsWith(".0.op.weight")) {
                downs++;
                firstDown = firstDown < 0 ? index : Math.min(firstDown, index);
            }
        }
        int levels = downs + 1;
        int perLevel = firstDown > 0 ? firstDown : maxInput + 1;   // blocks per level incl. its downsampler
        int numResBlocks = firstDown > 0 ? firstDown - 1 : maxInput;
        List<Integer> mult = new ArrayList<>();
        List<Integer> attention = new ArrayList<>();
        int contextDim = 0;
        boolean linear = false;
        int depth = 0;
        List<Integer> depths = new ArrayList<>();
        for (int level = 0; level < levels; level++) {
            String block = PREFIX + "input_blocks." + (1 + level * perLevel) + ".";
            String resOut = block + "0.out_layers.3.weight";
            if (!w.contains(resOut))
                throw new InvalidCheckpointException("The UNet layout is not understood (no '" + resOut + "').");
            mult.add((int) (w.shape(resOut)[0] / modelChannels));
            if (w.contains(block + "1.norm.weight")) {
                attention.add(level);
                linear = w.shape(block + "1.proj_in.weight").length == 2;
                contextDim = (int) w.shape(block + "1.transformer_blocks.0.attn2.to_k.weight")[1];
                depth = 0;
                while (w.contains(block + "1.transformer_blocks." + depth + ".norm1.weight")) depth++;
            }
            depths.add(w.contains(block + "1.norm.weight") ? depth : 0);
        }
        if (attention.isEmpty()) {   // context width from the middle block instead
            String midK = PREFIX + "middle_block.1.transformer_blocks.0.attn2.to_k.weight";
            if (!w.contains(midK)) throw new InvalidCheckpointException("The UNet has no cross-attention layers.");
            contextDim = (int) w.shape(midK)[1];
            linear = w.shape(PREFIX + "middle_block.1.proj_in.weight").length == 2;
            depth = 1;
            while (w.contains(PREFIX + "middle_block.1.transformer_blocks." + depth + ".norm1.weight")) depth++;
        }
        String labelEmb = PREFIX + "label_emb.0.0.weight";
        int adm = w.contains(labelEmb) ? (int) w.shape(labelEmb)[1] : 0;
        boolean uniform = depths.stream().filter(d -> d > 0).distinct().count() <= 1;
        if (!uniform) {   // levels without attention take the next level's depth (never used)
            for (int level = levels - 1; level >= 0; level--)
                if (depths.get(level) == 0) depths.set(level, level + 1 < levels ? depths.get(level + 1) : 1);
            depth = depths.get(attention.get(0));
        }
        String condProj = PREFIX + "time_embed.cond_proj.weight";   // LCM-distilled UNets
        int condDim = w.contains(condProj) ? (int) w.shape(condProj)[1] : 0;
        return new UNetConfig(inChannels, modelChannels, mult, numResBlocks, attention,
                linear ? 0 : SD1_HEADS, linear ? SD2_HEAD_CHANNELS : 0, contextDim, linear, normGroups, depth,
                uniform ? List.of() : depths, adm, condDim);
    }

    /** Transformer blocks of the spatial transformers at {@code level}. */
    public int depthAt(int level) {
        return levelDepths.isEmpty() ? transformerDepth : levelDepths.get(level);
    }

    /** Transformer blocks of the middle block's spatial transformer (LDM: the last level's depth). */
    public int middleDepth() {
        return depthAt(levels() - 1);
    }

    /** True for UNets with a vector conditioning input (SDXL's label_emb). */
    public boolean hasVectorConditioning() { return admInChannels > 0; }

    public int levels() { return channelMult.size(); }

    public boolean hasAttention(int level) { return attentionLevels.contains(level); }

    /** Heads of an attention block over {@code channels} channels. */
    public int headsFor(long channels) {
        if (numHeads > 0) return numHeads;
        if (channels % headChannels != 0)
            throw new IllegalArgumentException(channels + " channels are not a multiple of " + headChannels);
        return (int) (channels / headChannels);
    }

    /** Width of the time embedding (4 × modelChannels). */
    public int timeEmbedDim() { return 4 * modelChannels; }

    /** Latent sizes must be divisible by this (one halving per level below the first). */
    public int downscale() { return 1 << (levels() - 1); }

    public UNetConfig withNormGroups(int groups) {
        return new UNetConfig(inChannels, modelChannels, channelMult, numResBlocks, attentionLevels, numHeads,
                headChannels, contextDim, linearProjection, groups, transformerDepth,
                levelDepths, admInChannels, timeCondProjDim);
    }

    public UNetConfig withHeads(int heads) {
        return new UNetConfig(inChannels, modelChannels, channelMult, numResBlocks, attentionLevels, heads, 0,
                contextDim, linearProjection, normGroups, transformerDepth,
                levelDepths, admInChannels, timeCondProjDim);
    }

    public UNetConfig withHeadChannels(int channelsPerHead) {
        return new UNetConfig(inChannels, modelChannels, channelMult, numResBlocks, attentionLevels, 0,
                channelsPerHead, contextDim, linearProjection, normGroups, transformerDepth,
                levelDepths, admInChannels, timeCondProjDim);
    }

    /**
     * Heads as a diffusers config lists them (one value per level): a constant count becomes {@link #withHeads}
     * (SD1 style), a constant head width {@link #withHeadChannels} (SD2 style); other layouts are refused.
     */
    public UNetConfig withHeadsOf(DiffusersConfig cfg) throws InvalidCheckpointException {
        int[] heads = cfg.unetHeads();
        boolean sameCount = true, sameWidth = true;
        for (int level : attentionLevels) {
            sameCount &= heads[Math.min(level, heads.length - 1)] == heads[0];
            sameWidth &= cfg.unetHeadChannels(level) == cfg.unetHeadChannels(attentionLevels.get(0));
        }
        if (sameCount) return withHeads(heads[0]);
        if (sameWidth) return withHeadChannels(cfg.unetHeadChannels(attentionLevels.get(0)));
        throw new InvalidCheckpointException("The UNet of " + cfg.folder() + " has neither a constant head count nor a "
                + "constant head width per level; DiffuseJ supports only those two layouts.");
    }

    public UNetConfig withInChannels(int channels) {
        return new UNetConfig(channels, modelChannels, channelMult, numResBlocks, attentionLevels, numHeads,
                headChannels, contextDim, linearProjection, normGroups, transformerDepth,
                levelDepths, admInChannels, timeCondProjDim);
    }
}
