package org.diffusej.engine.vae;

import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape of the SD autoencoder (LDM {@code AutoencoderKL}, no attention outside the mid blocks).
 *
 * @param ch            width of the first level (128 in SD)
 * @param chMult        width multiplier per level
 * @param numResBlocks  residual blocks per encoder level (decoder levels have one more)
 * @param zChannels     latent channels (4)
 * @param normGroups    group-norm groups (32 in real models; not stored in checkpoints)
 * @param scalingFactor latents are multiplied by this after encoding and divided before decoding (0.18215)
 */
public record VaeConfig(int ch, List<Integer> chMult, int numResBlocks, int zChannels, int normGroups,
                        double scalingFactor) {

    private static final String PREFIX = "first_stage_model.";
    public static final double SD_SCALING_FACTOR = 0.18215;
    /** SDXL's VAE latent scaling (its diffusers {@code scaling_factor}). */
    public static final double SDXL_SCALING_FACTOR = 0.13025;

    public VaeConfig {
        chMult = List.copyOf(chMult);
        if (chMult.isEmpty() || numResBlocks < 1 || zChannels < 1 || normGroups < 1 || !(scalingFactor > 0))
            throw new IllegalArgumentException("invalid VAE configuration");
    }

    /** The SD1/SD2 autoencoder (8× downscale). */
    public static VaeConfig sd() {
        return new VaeConfig(128, List.of(1, 2, 4, 4), 2, 4, 32, SD_SCALING_FACTOR);
    }

    /** Reads the configuration from tensor shapes; the scaling factor is SD's 0.18215 (override with a wither). */
    public static VaeConfig detect(WeightSource w, int normGroups) throws InvalidCheckpointException {
        String convIn = PREFIX + "encoder.conv_in.weight";
        String postQuant = PREFIX + "post_quant_conv.weight";
        if (!w.contains(convIn) || !w.contains(postQuant))
            throw new InvalidCheckpointException("The checkpoint has no VAE (no tensor '" + convIn + "').");
        int ch = (int) w.shape(convIn)[0];
        List<Integer> mult = new ArrayList<>();
        while (w.contains(PREFIX + "encoder.down." + mult.size() + ".block.0.conv2.weight"))
            mult.add((int) (w.shape(PREFIX + "encoder.down." + mult.size() + ".block.0.conv2.weight")[0] / ch));
        int blocks = 0;
        while (w.contains(PREFIX + "encoder.down.0.block." + blocks + ".conv1.weight")) blocks++;
        if (mult.isEmpty()) throw new InvalidCheckpointException("The VAE layout is not understood (no encoder.down).");
        int z = (int) w.shape(postQuant)[0];
        return new VaeConfig(ch, mult, blocks, z, normGroups, SD_SCALING_FACTOR);
    }

    public int levels() { return chMult.size(); }

    /** Image size / latent size: 2^(levels-1). */
    public int downscale() { return 1 << (levels() - 1); }

    public VaeConfig withNormGroups(int groups) {
        return new VaeConfig(ch, chMult, numResBlocks, zChannels, groups, scalingFactor);
    }

    public VaeConfig withScalingFactor(double factor) {
        return new VaeConfig(ch, chMult, numResBlocks, zChannels, normGroups, factor);
    }
}
