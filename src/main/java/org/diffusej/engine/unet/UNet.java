package org.diffusej.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.nn.Conv2d;
import org.diffusej.engine.nn.Downsample;
import org.diffusej.engine.nn.GroupNorm;
import org.diffusej.engine.nn.Linear;
import org.diffusej.engine.nn.Parameters;
import org.diffusej.engine.nn.ResnetBlock;
import org.diffusej.engine.nn.ScopedCall;
import org.diffusej.engine.nn.Silu;
import org.diffusej.engine.nn.SpatialTransformer;
import org.diffusej.engine.nn.TimestepEmbedding;
import org.diffusej.engine.nn.Upsample;
import org.diffusej.engine.nn.WeightSlot;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SD1/SD2/SDXL denoising UNet (LDM {@code UNetModel}), predicting noise or v for a latent, timestep and text
 * states; SDXL's UNet also takes a vector conditioning {@code y} (LDM {@code label_emb}, diffusers' "text_time"
 * {@code add_embedding}) that is added to the time embedding.
 */
public final class UNet implements AutoCloseable {
    private static final String PREFIX = "model.diffusion_model.";
    private static final int OUT_CHANNELS = 4;
    private static final float OUT_NORM_EPS = 1e-5f;

    private final UNetConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final Linear timeEmbed1;
    private final Linear timeEmbed2;
    private final Linear labelEmbed1;   // null without vector conditioning
    private final Linear labelEmbed2;
    private final Linear condProj; // LCM guidance embedding → timestep features, or null
    private final List<UNetBlock> inputBlocks;
    private final UNetBlock middleBlock;
    private final List<UNetBlock> outputBlocks;
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    private final Map<String, WeightSlot> slots;

    private UNet(UNetConfig config, NDManager manager, Parameters p)
            throws InvalidCheckpointException {
        this.config = config;
        this.manager = manager;
        this.dtype = p.dtype(); // activations: FLOAT32 in bfloat16 compute
        this.slots = p.slots();
        int mc = config.modelChannels();
        int embDim = config.timeEmbedDim();
        int groups = config.normGroups();
        timeEmbed1 = Linear.load(p.child("time_embed").child("0"), mc, embDim);
        timeEmbed2 = Linear.load(p.child("time_embed").child("2"), embDim, embDim);
        Parameters label = p.child("label_emb").child("0");
        labelEmbed1 = config.hasVectorConditioning() ? Linear.load(label.child("0"), config.admInChannels(), embDim) : null;
        labelEmbed2 = config.hasVectorConditioning() ? Linear.load(label.child("2"), embDim, embDim) : null;
        condProj = config.timeCondProjDim() > 0
                ? Linear.loadWithoutBias(p.child("time_embed").child("cond_proj"), config.timeCondProjDim(), mc)
                : null;

        // 1. down path: input_blocks[0] = conv_in, then per level numResBlocks × (resnet [+ attention]) + op
        Parameters in = p.child("input_blocks");
        inputBlocks = new ArrayList<>();
        inputBlocks.add(UNetBlock.conv(Conv2d.load(in.child("0").child("0"), config.inChannels(), mc, 3, 1)));
        Deque<Long> skipChannels = new ArrayDeque<>();
        skipChannels.push((long) mc);
        long ch = mc;
        for (int level = 0; level < config.levels(); level++) {
            long out = (long) mc * config.channelMult().get(level);
            for (int j = 0; j < config.numResBlocks(); j++) {
                Parameters block = in.child(Integer.toString(inputBlocks.size()));
                ResnetBlock resnet = ResnetBlock.load(block.child("0"), ch, out, embDim, groups);
                ch = out;
                inputBlocks.add(UNetBlock.level(resnet, transformer(block.child("1"), level, ch), null));
                skipChannels.push(ch);
            }
            if (level < config.levels() - 1) {
                Parameters block = in.child(Integer.toString(inputBlocks.size()));
                inputBlocks.add(UNetBlock.down(Downsample.load(block.child("0"), ch)));
                skipChannels.push(ch);
            }
        }

        // 2. middle: resnet, attention, resnet
        Parameters mid = p.child("middle_block");
        middleBlock = UNetBlock.middle(ResnetBlock.load(mid.child("0"), ch, ch, embDim, groups),
                SpatialTransformer.load(mid.child("1"), ch, config.contextDim(), config.headsFor(ch),
                        config.middleDepth(), config.linearProjection(), groups),
                ResnetBlock.load(mid.child("2"), ch, ch, embDim, groups));

        // 3. up path: per level (reversed) numResBlocks+1 × (resnet over [h, skip] [+ attention]), last one upsamples
        Parameters outBlocks = p.child("output_blocks");
        outputBlocks = new ArrayList<>();
        for (int level = config.levels() - 1; level >= 0; level--) {
            long out = (long) mc * config.channelMult().get(level);
            for (int j = 0; j <= config.numResBlocks(); j++) {
                Parameters block = outBlocks.child(Integer.toString(outputBlocks.size()));
                ResnetBlock resnet = ResnetBlock.load(block.child("0"), ch + skipChannels.pop(), out, embDim, groups);
                ch = out;
                SpatialTransformer attention = transformer(block.child("1"), level, ch);
                Upsample up = level > 0 && j == config.numResBlocks()
                        ? Upsample.load(block.child(attention == null ? "1" : "2"), ch)
                        : null;
                outputBlocks.add(UNetBlock.level(resnet, attention, up));
            }
        }
        outNorm = GroupNorm.load(p.child("out").child("0"), groups, ch, OUT_NORM_EPS);
        outConv = Conv2d.load(p.child("out").child("2"), ch, OUT_CHANNELS, 3, 1);
    }

    private SpatialTransformer transformer(Parameters p, int level, long channels) throws InvalidCheckpointException {
        if (!config.hasAttention(level)) return null;
        return SpatialTransformer.load(p, channels, config.contextDim(), config.headsFor(channels),
                config.depthAt(level), config.linearProjection(), config.normGroups());
    }

    /**
     * Loads the UNet weights ({@code model.diffusion_model.*}) into a sub-manager of {@code manager}, as
     * {@code dtype} (FLOAT32, FLOAT16, or BFLOAT16 for bfloat16 compute on the CPU; see {@link Parameters}).
     */
    public static UNet load(WeightSource w, UNetConfig c, NDManager manager, DataType dtype)
            throws InvalidCheckpointException {
        NDManager own = manager.newSubManager();
        try {
            return new UNet(c, own, Parameters.loading(w, own, dtype, PREFIX));
        } catch (InvalidCheckpointException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** Every parameter the UNet of {@code c} loads: internal name → shape. */
    public static Map<String, long[]> parameterShapes(UNetConfig c) {
        Map<String, long[]> shapes = new TreeMap<>();
        try {
            new UNet(c, null, Parameters.recording(shapes, PREFIX));
        } catch (InvalidCheckpointException e) {
            throw new IllegalStateException("recording parameters cannot fail", e);
        }
        return shapes;
    }

    public UNetConfig config() { return config; }

    /** Every convolution and linear weight by internal name, patchable (LoRA) and restorable. */
    public Map<String, WeightSlot> weightSlots() { return slots; }

    /** Precision of the weights and of the computation. */
    public DataType dtype() { return dtype; }

    /**
     * One denoising evaluation.
     *
     * @param sample    [N, inChannels, h, w] latents (h, w divisible by {@link UNetConfig#downscale()})
     * @param timesteps [N] (or [1], used for every sample) diffusion timesteps, may be fractional
     * @param context   [N, L, contextDim] text encoder states
     * @return [N, 4, h, w] float32 model output, in the manager of {@code sample}
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context) {
        return forward(sample, timesteps, context, null);
    }

    /**
     * One denoising evaluation with vector conditioning (SDXL).
     *
     * @param y [N, admInChannels] vector conditioning (SDXL: pooled text embedding and time-id features, see
     *          {@code MicroConditioning}); null exactly for UNets without it
     * @see #forward(NDArray, NDArray, NDArray)
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context, NDArray y) {
        return forward(sample, timesteps, context, y, null);
    }

    /**
     * One evaluation with vector conditioning {@code y} (as {@link #forward(NDArray, NDArray, NDArray, NDArray)}) and,
     * for an LCM-distilled UNet, {@code timestepCond} [N, {@link UNetConfig#timeCondProjDim()}] (the guidance
     * embedding, diffusers' {@code timestep_cond}) projected and added to the timestep features; null = none.
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray context, NDArray y, NDArray timestepCond) {
        Shape s = sample.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChannels())
            throw new IllegalArgumentException("sample must be [N, " + config.inChannels() + ", h, w], got " + s);
        if (s.get(2) % config.downscale() != 0 || s.get(3) % config.downscale() != 0)
            throw new IllegalArgumentException("latent size " + s + " not divisible by " + config.downscale());
        long n = s.get(0);
        Shape cs = context.getShape();
        if (cs.dimension() != 3 || cs.get(0) != n || cs.get(2) != config.contextDim())
            throw new IllegalArgumentException("context must be [" + n + ", L, " + config.contextDim() + "], got " + cs);
        if (timesteps.size() != 1 && timesteps.size() != n)
            throw new IllegalArgumentException("need 1 or " + n + " timesteps, got " + timesteps.getShape());
        if ((y != null) != config.hasVectorConditioning())
            throw new IllegalArgumentException(config.hasVectorConditioning()
                    ? "this UNet (SDXL) needs a vector conditioning y [" + n + ", " + config.admInChannels() + "]"
                    : "this UNet takes no vector conditioning y");
        if (y != null && !y.getShape().equals(new Shape(n, config.admInChannels())))
            throw new IllegalArgumentException("y must be [" + n + ", " + config.admInChannels() + "], got " + y.getShape());
        if (timestepCond != null && (condProj == null || !timestepCond.getShape().equals(new Shape(n, config.timeCondProjDim()))))
            throw new IllegalArgumentException(condProj == null ? "this UNet takes no guidance embedding"
                    : "timestep_cond must be [" + n + ", " + config.timeCondProjDim() + "], got " + timestepCond.getShape());
        return ScopedCall.run(() -> {
            // 1. time embedding
            NDArray t = timesteps.toType(DataType.FLOAT32, false).reshape(-1);
            if (t.size() == 1 && n > 1) t = t.repeat(n);
            NDArray features = TimestepEmbedding.sinusoidal(t, config.modelChannels()).toType(dtype, false);
            if (timestepCond != null) features = features.add(condProj.forward(timestepCond.toType(dtype, false)));
            NDArray emb = timeEmbed2.forward(Silu.apply(timeEmbed1.forward(features)));    // [N, 4*mc]
            if (y != null)                                                                    // + label_emb(y)
                emb = emb.add(labelEmbed2.forward(Silu.apply(labelEmbed1.forward(y.toType(dtype, false)))));
            NDArray ctx = context.toType(dtype, false);

            // 2. down, keeping every block's output for the skip connections
            NDArray h = sample.toType(dtype, false);
            Deque<NDArray> skips = new ArrayDeque<>();
            for (UNetBlock block : inputBlocks) {
                h = block.forward(h, emb, ctx);
                skips.push(h);
            }
            // 3. middle
            h = middleBlock.forward(h, emb, ctx);
            // 4. up, each block over [h, matching skip] along channels
            for (UNetBlock block : outputBlocks) h = block.forward(h.concat(skips.pop(), 1), emb, ctx);
            // 5. out
            return outConv.forwardAndClose(outNorm.forwardSilu(h)).toType(DataType.FLOAT32, false); // [N, 4, h, w]
        });
    }

    @Override
    public void close() {
        if (manager != null) manager.close();
    }
}
