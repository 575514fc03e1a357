package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.diffusej.engine.nn.Conv2d;
import org.diffusej.engine.nn.Parameters;
import org.diffusej.engine.nn.ScopedCall;
import org.diffusej.engine.nn.Upsample;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.TaesdWeightSource;
import org.diffusej.engine.weights.WeightSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The tiny autoencoder TAESD (madebyollin; diffusers' {@code AutoencoderTiny}, also TAESDXL): 2.4 M parameters of
 * plain 3×3 convolutions and ReLU that map images to the UNet's latents and back, ~100× cheaper than the SD VAE.
 * Its latents are the UNet's own (scaling factor 1): the sampled latents go in as they are. Images use the VAE's
 * convention here, [−1, 1] (diffusers' {@code encode}/{@code decode}); internally TAESD works in [0, 1].
 * The decoder alone is enough for previews and a fast final decode; the encoder is optional.
 */
public final class Taesd implements AutoCloseable {
    /** Residual blocks per level (diffusers' {@code num_encoder_blocks} / {@code num_decoder_blocks} defaults). */
    private static final int[] ENCODER_BLOCKS = {1, 3, 3, 3};
    private static final int[] DECODER_BLOCKS = {3, 3, 3, 1};
    private static final int IMAGE_CHANNELS = 3;
    /** The decoder's input clamp: tanh(z / 3) · 3. */
    private static final float LATENT_CLAMP = 3f;

    private final NDManager manager;
    private final DataType dtype;
    private final int latentChannels;
    private final List<UnaryOperator<NDArray>> encoder; // null when the weights have no encoder
    private final List<UnaryOperator<NDArray>> decoder; // null when the weights have no decoder

    private Taesd(WeightSource w, NDManager manager, Parameters p) throws InvalidCheckpointException {
        this.manager = manager;
        this.dtype = p.dtype();
        boolean hasEncoder = w.contains(TaesdWeightSource.ENCODER + "0.weight");
        boolean hasDecoder = w.contains(TaesdWeightSource.DECODER + "1.weight");
        if (!hasEncoder && !hasDecoder)
            throw new InvalidCheckpointException("The tiny autoencoder has neither encoder ('0.weight') nor decoder "
                    + "('1.weight') tensors.");
        long[] first = hasDecoder ? w.shape(TaesdWeightSource.DECODER + "1.weight")     // [C, latent, 3, 3]
                : w.shape(TaesdWeightSource.ENCODER + "0.weight");                        // [C, 3, 3, 3]
        long ch = first[0];
        int latent = hasDecoder ? (int) first[1] : -1;
        encoder = hasEncoder ? buildEncoder(p.child("encoder"), ch, w) : null;
        if (latent < 0) latent = (int) w.shape(TaesdWeightSource.ENCODER + lastEncoderIndex() + ".weight")[0];
        this.latentChannels = latent;
        decoder = hasDecoder ? buildDecoder(p.child("decoder"), ch, latent) : null;
    }

    private static int lastEncoderIndex() {
        int i = 1;
        for (int level = 0; level < ENCODER_BLOCKS.length; level++) i += (level > 0 ? 1 : 0) + ENCODER_BLOCKS[level];
        return i;
    }

    /** conv_in, then per level (a stride-2 convolution below the first level) residual blocks, then conv to latents. */
    private static List<UnaryOperator<NDArray>> buildEncoder(Parameters p, long ch, WeightSource w)
            throws InvalidCheckpointException {
        List<UnaryOperator<NDArray>> stages = new ArrayList<>();
        int i = 0;
        stages.add(Conv2d.load(p.child(Integer.toString(i++)), IMAGE_CHANNELS, ch, 3, 1)::forward);
        for (int level = 0; level < ENCODER_BLOCKS.length; level++) {
            if (level > 0) stages.add(Conv2d.loadWithoutBias(p.child(Integer.toString(i++)), ch, ch, 3, 2)::forward);
            for (int b = 0; b < ENCODER_BLOCKS[level]; b++) stages.add(block(p.child(Integer.toString(i++)), ch));
        }
        long latent = w.shape(TaesdWeightSource.ENCODER + i + ".weight")[0];
        stages.add(Conv2d.load(p.child(Integer.toString(i)), ch, latent, 3, 1)::forward);
        return stages;
    }

    /** clamp, conv + ReLU, then per level residual blocks (and 2× nearest upsampling + conv but after the last). */
    private static List<UnaryOperator<NDArray>> buildDecoder(Parameters p, long ch, int latent)
            throws InvalidCheckpointException {
        List<UnaryOperator<NDArray>> stages = new ArrayList<>();
        stages.add(z -> z.div(LATENT_CLAMP).tanh().mul(LATENT_CLAMP));                    // 0: clamp
        Conv2d in = Conv2d.load(p.child("1"), latent, ch, 3, 1);
        stages.add(z -> ScopedCall.run(() -> Activation.relu(in.forward(z))));            // 1, 2: conv, ReLU
        int i = 3;
        for (int level = 0; level < DECODER_BLOCKS.length; level++) {
            for (int b = 0; b < DECODER_BLOCKS[level]; b++) stages.add(block(p.child(Integer.toString(i++)), ch));
            if (level < DECODER_BLOCKS.length - 1) {
                i++;                                                                      // Upsample (no weights)
                Conv2d conv = Conv2d.loadWithoutBias(p.child(Integer.toString(i++)), ch, ch, 3, 1);
                stages.add(x -> ScopedCall.run(() -> conv.forwardAndClose(Upsample.nearest2x(x))));
            }
        }
        stages.add(Conv2d.load(p.child(Integer.toString(i)), ch, IMAGE_CHANNELS, 3, 1)::forward);
        return stages;
    }

    /** TAESD's Block: ReLU(conv(ReLU(conv(ReLU(conv(x))))) + x), all 3×3 with bias. */
    private static UnaryOperator<NDArray> block(Parameters p, long ch) throws InvalidCheckpointException {
        Parameters conv = p.child("conv");
        Conv2d c0 = Conv2d.load(conv.child("0"), ch, ch, 3, 1);
        Conv2d c2 = Conv2d.load(conv.child("2"), ch, ch, 3, 1);
        Conv2d c4 = Conv2d.load(conv.child("4"), ch, ch, 3, 1);
        return x -> ScopedCall.run(() -> {
            NDArray h = Activation.relu(c0.forward(x));
            h = Activation.relu(c2.forwardAndClose(h));
            return Activation.relu(ScopedCall.addAndClose(c4.forwardAndClose(h), x));
        });
    }

    /**
     * Loads a TAESD into a sub-manager of {@code manager}: FLOAT32 or FLOAT16 (BFLOAT16 runs in float32: TAESD's
     * bias-free convolutions have no bf16 kernel, and at its size the gain would be small).
     */
    public static Taesd load(TaesdWeightSource w, NDManager manager, DataType dtype) throws InvalidCheckpointException {
        return load((WeightSource) w, manager, dtype);
    }

    /** {@link #load(TaesdWeightSource, NDManager, DataType)} from any source in its naming (e.g. random weights). */
    public static Taesd load(WeightSource w, NDManager manager, DataType dtype) throws InvalidCheckpointException {
        DataType precision = dtype == DataType.FLOAT16 ? DataType.FLOAT16 : DataType.FLOAT32;
        NDManager own = manager.newSubManager();
        try {
            return new Taesd(w, own, Parameters.loading(w, own, precision, "taesd."));
        } catch (InvalidCheckpointException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /**
     * The decoder's tensors in {@link TaesdWeightSource}'s naming ({@code taesd.decoder.N...}) → shape, for random
     * weights of the real architecture (TAESD: 64 channels, 4 latent channels).
     */
    public static Map<String, long[]> decoderShapes(int channels, int latentChannels) {
        Map<String, long[]> out = new LinkedHashMap<>();
        String d = TaesdWeightSource.DECODER;
        conv(out, d + "1", channels, latentChannels, true);
        int i = 3;
        for (int level = 0; level < DECODER_BLOCKS.length; level++) {
            for (int b = 0; b < DECODER_BLOCKS[level]; b++, i++)
                for (String c : new String[] {"0", "2", "4"}) conv(out, d + i + ".conv." + c, channels, channels, true);
            if (level < DECODER_BLOCKS.length - 1) {
                i++;
                conv(out, d + i++, channels, channels, false);
            }
        }
        conv(out, d + i, IMAGE_CHANNELS, channels, true);
        return out;
    }

    private static void conv(Map<String, long[]> out, String name, long outCh, long inCh, boolean bias) {
        out.put(name + ".weight", new long[] {outCh, inCh, 3, 3});
        if (bias) out.put(name + ".bias", new long[] {outCh});
    }

    /** Pixels per latent pixel (8: three 2× levels). */
    public int downscale() { return 1 << (DECODER_BLOCKS.length - 1); }

    /** TAESD latents are the UNet's latents: diffusers' {@code scaling_factor} 1.0, {@code shift_factor} 0. */
    public double scalingFactor() { return 1.0; }

    public int latentChannels() { return latentChannels; }

    public boolean hasEncoder() { return encoder != null; }

    public boolean hasDecoder() { return decoder != null; }

    /** Latents [N, z, h, w] → image [N, 3, 8h, 8w] float32, roughly in [−1, 1] (not clamped). */
    public NDArray decode(NDArray latents) {
        if (decoder == null) throw new IllegalStateException("this tiny autoencoder has no decoder weights");
        Shape s = latents.getShape();
        if (s.dimension() != 4 || s.get(1) != latentChannels)
            throw new IllegalArgumentException("latents must be [N, " + latentChannels + ", h, w], got " + s);
        return ScopedCall.run(() -> run(decoder, latents).mul(2f).sub(1f));
    }

    /** Image [N, 3, H, W] in [−1, 1] (H, W divisible by 8) → latents [N, z, H/8, W/8] float32; deterministic. */
    public NDArray encode(NDArray image) {
        if (encoder == null) throw new IllegalStateException("this tiny autoencoder has no encoder weights");
        Shape s = image.getShape();
        if (s.dimension() != 4 || s.get(1) != IMAGE_CHANNELS)
            throw new IllegalArgumentException("image must be [N, 3, H, W], got " + s);
        if (s.get(2) % downscale() != 0 || s.get(3) % downscale() != 0)
            throw new IllegalArgumentException("image size " + s + " not divisible by " + downscale());
        return ScopedCall.run(() -> run(encoder, image.add(1f).div(2f)));
    }

    private NDArray run(List<UnaryOperator<NDArray>> stages, NDArray input) {
        NDArray h = input.toType(dtype, false);
        for (UnaryOperator<NDArray> stage : stages) {
            NDArray next = stage.apply(h);
            if (h != input) h.close();
            h = next;
        }
        return h.toType(DataType.FLOAT32, false);
    }

    @Override
    public void close() {
        manager.close();
    }
}
