package org.diffusej.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.nn.Conv2d;
import org.diffusej.engine.nn.GroupNorm;
import org.diffusej.engine.nn.Parameters;
import org.diffusej.engine.nn.ScopedCall;
import org.diffusej.engine.nn.Upsample;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The SD autoencoder (LDM {@code AutoencoderKL}): images in [-1, 1] to latent moments (mean, log-variance) and
 * unscaled latents back to images. Callers apply {@link VaeConfig#scalingFactor()} themselves.
 */
public final class Vae implements AutoCloseable {
    static final float NORM_EPS = 1e-6f;
    private static final String PREFIX = "first_stage_model.";
    private static final int IMAGE_CHANNELS = 3;

    private final VaeConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final List<UnaryOperator<NDArray>> encoder = new ArrayList<>();
    private final List<UnaryOperator<NDArray>> decoder = new ArrayList<>();

    private Vae(VaeConfig config, NDManager manager, Parameters p)
            throws InvalidCheckpointException {
        this.config = config;
        this.manager = manager;
        this.dtype = p.dtype(); // activations: FLOAT32 in bfloat16 compute
        int groups = config.normGroups();
        int z = config.zChannels();
        int levels = config.levels();

        // encoder: conv_in, per level resnets [+ stride-2 conv], mid, norm/SiLU/conv_out, then quant_conv
        Parameters enc = p.child("encoder");
        long ch = config.ch();
        encoder.add(Conv2d.load(enc.child("conv_in"), IMAGE_CHANNELS, ch, 3, 1)::forward);
        for (int level = 0; level < levels; level++) {
            Parameters down = enc.child("down").child(Integer.toString(level));
            long out = (long) config.ch() * config.chMult().get(level);
            for (int j = 0; j < config.numResBlocks(); j++) {
                encoder.add(VaeResnetBlock.load(down.child("block").child(Integer.toString(j)), ch, out, groups)
                        ::forward);
                ch = out;
            }
            if (level < levels - 1) encoder.add(downsampler(down.child("downsample").child("conv"), ch));
        }
        addMiddle(encoder, enc.child("mid"), ch, groups);
        encoder.add(output(enc, ch, 2L * z, groups));
        encoder.add(Conv2d.load(p.child("quant_conv"), 2L * z, 2L * z, 1, 1)::forward);

        // decoder: post_quant_conv, conv_in, mid, per level (top first) resnets [+ upsampler], norm/SiLU/conv_out
        Parameters dec = p.child("decoder");
        decoder.add(Conv2d.load(p.child("post_quant_conv"), z, z, 1, 1)::forward);
        ch = (long) config.ch() * config.chMult().get(levels - 1);
        decoder.add(Conv2d.load(dec.child("conv_in"), z, ch, 3, 1)::forward);
        addMiddle(decoder, dec.child("mid"), ch, groups);
        for (int level = levels - 1; level >= 0; level--) {
            Parameters up = dec.child("up").child(Integer.toString(level));
            long out = (long) config.ch() * config.chMult().get(level);
            for (int j = 0; j <= config.numResBlocks(); j++) {
                decoder.add(VaeResnetBlock.load(up.child("block").child(Integer.toString(j)), ch, out, groups)
                        ::forward);
                ch = out;
            }
            if (level > 0) decoder.add(Upsample.load(up.child("upsample"), ch)::forward);
        }
        decoder.add(output(dec, ch, IMAGE_CHANNELS, groups));
    }

    private static void addMiddle(List<UnaryOperator<NDArray>> stages, Parameters mid, long ch, int groups)
            throws InvalidCheckpointException {
        stages.add(VaeResnetBlock.load(mid.child("block_1"), ch, ch, groups)::forward);
        stages.add(VaeAttention.load(mid.child("attn_1"), ch, groups)::forward);
        stages.add(VaeResnetBlock.load(mid.child("block_2"), ch, ch, groups)::forward);
    }

    private static UnaryOperator<NDArray> output(Parameters p, long ch, long out, int groups)
            throws InvalidCheckpointException {
        GroupNorm norm = GroupNorm.load(p.child("norm_out"), groups, ch, NORM_EPS);
        Conv2d conv = Conv2d.load(p.child("conv_out"), ch, out, 3, 1);
        return x -> ScopedCall.run(() -> conv.forwardAndClose(norm.forwardSilu(x)));
    }

    /** LDM's encoder downsampling: zero-pad right and bottom by one, then a 3×3 stride-2 conv without padding. */
    private static UnaryOperator<NDArray> downsampler(Parameters p, long ch) throws InvalidCheckpointException {
        Conv2d conv = Conv2d.load(p, ch, ch, 3, 2, 0);
        return x -> ScopedCall.run(() -> conv.forward(x.pad(new Shape(0, 1, 0, 1), 0)));
    }

    /**
     * The precision the VAE runs in next to networks in {@code networkPrecision}: float32 next to fp16 (fp16 decodes
     * can overflow to black or NaN images), otherwise the same.
     */
    public static DataType precisionBeside(DataType networkPrecision) {
        return networkPrecision == DataType.FLOAT16 ? DataType.FLOAT32 : networkPrecision;
    }

    /** Loads the VAE weights ({@code first_stage_model.*}) into a sub-manager of {@code manager} as {@code dtype}. */
    public static Vae load(WeightSource w, VaeConfig c, NDManager manager, DataType dtype)
            throws InvalidCheckpointException {
        NDManager own = manager.newSubManager();
        try {
            return new Vae(c, own, Parameters.loading(w, own, dtype, PREFIX));
        } catch (InvalidCheckpointException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** Every parameter the VAE of {@code c} loads: internal name → shape. */
    public static Map<String, long[]> parameterShapes(VaeConfig c) {
        Map<String, long[]> shapes = new TreeMap<>();
        try {
            new Vae(c, null, Parameters.recording(shapes, PREFIX));
        } catch (InvalidCheckpointException e) {
            throw new IllegalStateException("recording parameters cannot fail", e);
        }
        return shapes;
    }

    public VaeConfig config() { return config; }

    public DataType dtype() { return dtype; }

    /**
     * Image [N, 3, H, W] in [-1, 1] (H, W divisible by {@link VaeConfig#downscale()}) → moments
     * [N, 2·z, H/f, W/f] float32: mean then log-variance (not clamped), after {@code quant_conv}.
     */
    public NDArray encodeMoments(NDArray image) {
        Shape s = image.getShape();
        if (s.dimension() != 4 || s.get(1) != IMAGE_CHANNELS)
            throw new IllegalArgumentException("image must be [N, 3, H, W], got " + s);
        if (s.get(2) % config.downscale() != 0 || s.get(3) % config.downscale() != 0)
            throw new IllegalArgumentException("image size " + s + " not divisible by " + config.downscale());
        return run(encoder, image);
    }

    /** Unscaled latents [N, z, h, w] → image [N, 3, h·f, w·f] float32, roughly in [-1, 1]. */
    public NDArray decode(NDArray z) {
        Shape s = z.getShape();
        if (s.dimension() != 4 || s.get(1) != config.zChannels())
            throw new IllegalArgumentException("latents must be [N, " + config.zChannels() + ", h, w], got " + s);
        return run(decoder, z);
    }

    private NDArray run(List<UnaryOperator<NDArray>> stages, NDArray input) {
        return ScopedCall.run(() -> {
            NDArray h = input.toType(dtype, false);
            for (UnaryOperator<NDArray> stage : stages) {
                NDArray next = stage.apply(h);
                if (h != input) h.close(); // each stage's output is needed by the next stage only
                h = next;
            }
            return h.toType(DataType.FLOAT32, false);
        });
    }

    @Override
    public void close() {
        if (manager != null) manager.close();
    }
}
