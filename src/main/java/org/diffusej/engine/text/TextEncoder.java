package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import org.diffusej.engine.nn.Attention;
import org.diffusej.engine.nn.LayerNorm;
import org.diffusej.engine.nn.Linear;
import org.diffusej.engine.nn.Parameters;
import org.diffusej.engine.nn.ScopedCall;
import org.diffusej.engine.nn.WeightSlot;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text encoder that turns token ids into the UNet's conditioning: CLIP ViT-L/14 for SD1 (quick_gelu, last
 * layer) or OpenCLIP ViT-H/14 for SD2 (gelu, penultimate layer; an LDM single file's last resblock is never run),
 * both followed by the final layer norm. Causal self-attention and no padding mask, as in the diffusers pipelines.
 * Weights come under CLIP's internal naming ({@code cond_stage_model.transformer.text_model.*}): OpenCLIP's
 * ({@code cond_stage_model.model.*}, SD2 and SDXL single files) is renamed at load by the weights layer
 * ({@code OpenClipNames}). SDXL's two encoders sit under other roots ({@code conditioner.embedders.0.} and
 * {@code .1.}) and are used through {@link #hiddenState} and {@link #pooled} (see {@link DualTextEncoder}).
 */
public final class TextEncoder implements AutoCloseable {
    /** Root of the SD1/SD2 text encoder's internal names. */
    public static final String SD_ROOT = "cond_stage_model.";

    /**
     * Shape of a text encoder.
     *
     * @param vocabulary token embedding rows (49408)
     * @param positions  position embedding rows (77)
     * @param hidden     width H
     * @param heads      attention heads (H/64 in the real models; not visible in weights)
     * @param mlp        feed-forward width
     * @param layers     layers run for clipSkip 1 (SD2: all resblocks of the file but the last, see OpenClipNames)
     * @param quickGelu  x·sigmoid(1.702x) (CLIP) instead of the exact erf gelu (OpenCLIP)
     * @param eps        layer-norm epsilon
     */
    public record Config(int vocabulary, int positions, int hidden, int heads, int mlp, int layers,
                         boolean quickGelu, float eps) {
        public Config {
            if (heads < 1 || hidden % heads != 0)
                throw new IllegalArgumentException(hidden + " channels cannot be split into " + heads + " heads");
            if (layers < 1) throw new IllegalArgumentException("a text encoder needs at least one layer");
        }

        /**
         * Reads the shape from the weights. {@code heads} 0 takes the real models' 64-channel heads; the activation
         * is {@code hiddenAct} (a diffusers {@code hidden_act}: "gelu" for OpenCLIP, see
         * {@code ModelFamily.textHiddenAct}), quick_gelu (CLIP) when null.
         */
        public static Config detect(WeightSource w, int heads, String hiddenAct) throws InvalidCheckpointException {
            return detect(w, SD_ROOT, heads, hiddenAct);
        }

        /** Like {@link #detect(WeightSource, int, String)} for the encoder whose names start with {@code root}. */
        public static Config detect(WeightSource w, String root, int heads, String hiddenAct)
                throws InvalidCheckpointException {
            String clip = root + "transformer.text_model.";
            String tokens = clip + "embeddings.token_embedding.weight";
            if (!w.contains(tokens))
                throw new InvalidCheckpointException("The checkpoint has no text encoder (no '" + tokens + "').");
            long[] emb = w.shape(tokens);
            long[] pos = w.shape(clip + "embeddings.position_embedding.weight");
            String layerPrefix = clip + "encoder.layers.";
            int count = 0;
            while (w.contains(layerPrefix + count + ".layer_norm1.weight")) count++;
            if (count == 0)
                throw new InvalidCheckpointException("The text encoder has no layers (no '" + layerPrefix
                        + "0.layer_norm1.weight'); SD2's OpenCLIP needs at least 2 resblocks, as it runs the penultimate.");
            long mlp = w.shape(layerPrefix + "0.mlp.fc1.weight")[0];
            int hidden = (int) emb[1];
            if (heads <= 0 && hidden % 64 != 0)
                throw new InvalidCheckpointException("The text encoder is " + hidden + " wide, not a multiple of the "
                        + "64-channel heads of the real models; its head count must be given (diffusers config or options).");
            boolean quick = hiddenAct == null || hiddenAct.equals("quick_gelu");
            return new Config((int) emb[0], (int) pos[0], hidden, heads > 0 ? heads : hidden / 64,
                    (int) mlp, count, quick, 1e-5f);
        }
    }

    private final Config config;
    private final NDManager manager;
    private final NDArray tokenEmbedding;    // [V, H]
    private final NDArray positionEmbedding; // [P, H]
    private final EncoderLayer[] layers;
    private final LayerNorm finalNorm;
    private final Map<String, WeightSlot> slots;

    private TextEncoder(Config config, NDManager manager, NDArray tokenEmbedding, NDArray positionEmbedding,
                        EncoderLayer[] layers, LayerNorm finalNorm, Map<String, WeightSlot> slots) {
        this.slots = Collections.unmodifiableMap(slots);
        this.config = config;
        this.manager = manager;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
    }

    /** Loads the encoder's weights into a sub-manager of {@code parent} as {@code dtype} (FLOAT32 or FLOAT16). */
    public static TextEncoder load(WeightSource w, Config c, NDManager parent, DataType dtype)
            throws InvalidCheckpointException {
        return load(w, SD_ROOT, c, parent, dtype);
    }

    /** Loads the encoder whose internal names start with {@code rootName} (e.g. {@code conditioner.embedders.1.}). */
    public static TextEncoder load(WeightSource w, String rootName, Config c, NDManager parent, DataType dtype)
            throws InvalidCheckpointException {
        NDManager m = parent.newSubManager();
        try {
            Map<String, WeightSlot> slots = new LinkedHashMap<>();
            Parameters root = Parameters.loading(w, m, dtype, rootName + "transformer.text_model.", slots);
            NDArray tokens = root.child("embeddings").get("token_embedding.weight", c.vocabulary(), c.hidden());
            NDArray positions = root.child("embeddings").get("position_embedding.weight", c.positions(), c.hidden());
            EncoderLayer[] layers = new EncoderLayer[c.layers()];
            for (int i = 0; i < layers.length; i++) layers[i] = EncoderLayer.load(w, m, dtype, c, rootName, i, slots);
            LayerNorm norm = LayerNorm.load(root.child("final_layer_norm"), c.hidden(), c.eps());
            return new TextEncoder(c, m, tokens, positions, layers, norm, slots);
        } catch (InvalidCheckpointException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public Config config() { return config; }

    /** Every linear weight of the encoder layers by internal name, patchable (LoRA) and restorable. */
    public Map<String, WeightSlot> weightSlots() { return slots; }

    /**
     * Encodes token ids {@code [N, L]} (int64, L ≤ 77) to {@code [N, L, H]} float32 states after the final layer
     * norm. {@code clipSkip} 1 is the model's own layer (SD1: last, SD2: penultimate); N counts N-1 layers further
     * back. The result belongs to {@code inputIds}' manager.
     */
    public NDArray encode(NDArray inputIds, int clipSkip) {
        if (clipSkip < 1 || clipSkip > config.layers())
            throw new IllegalArgumentException("clipSkip must be 1.." + config.layers() + ", got " + clipSkip);
        int run = config.layers() - (clipSkip - 1);
        NDArray out = ScopedCall.run(() -> finalNorm.forward(run(inputIds, run)).toType(DataType.FLOAT32, false));
        out.attach(inputIds.getManager());
        return out;
    }

    /**
     * The states after the first {@code layers} layers, without the final layer norm: {@code [N, L, H]} float32
     * (transformers' {@code hidden_states[layers]}; SDXL conditions on {@code hidden_states[-2]}). The result
     * belongs to {@code inputIds}' manager.
     */
    public NDArray hiddenState(NDArray inputIds, int layers) {
        if (layers < 0 || layers > config.layers())
            throw new IllegalArgumentException("layers must be 0.." + config.layers() + ", got " + layers);
        NDArray out = ScopedCall.run(() -> run(inputIds, layers).toType(DataType.FLOAT32, false));
        out.attach(inputIds.getManager());
        return out;
    }

    /**
     * The pooled output: the final layer norm of the last layer's state at each row's end token (the largest id,
     * as CLIP's {@code argmax(input_ids)}): {@code [N, H]} float32, in {@code inputIds}' manager.
     */
    public NDArray pooled(NDArray inputIds) {
        long[] ids = inputIds.toType(DataType.INT64, false).toLongArray();
        long length = inputIds.getShape().get(1);
        NDArray out = ScopedCall.run(() -> {
            NDArray x = finalNorm.forward(run(inputIds, config.layers()));                  // [N, L, H]
            NDList rows = new NDList();
            for (int row = 0; row * length < ids.length; row++) {
                int end = 0;
                for (int i = 1; i < length; i++) if (ids[(int) (row * length + i)] > ids[(int) (row * length + end)]) end = i;
                rows.add(x.get(row).get(end));                                              // [H]
            }
            return NDArrays.stack(rows).toType(DataType.FLOAT32, false);                   // [N, H]
        });
        out.attach(inputIds.getManager());
        return out;
    }

    /** Embeddings, then the first {@code layerCount} layers: {@code [N, L, H]} in the weights' precision. */
    private NDArray run(NDArray inputIds, int layerCount) {
        NDArray ids = inputIds.toDevice(tokenEmbedding.getDevice(), false).toType(DataType.INT64, false);
        long length = ids.getShape().get(1);
        NDArray x = tokenEmbedding.getNDArrayInternal().embedding(ids, tokenEmbedding, SparseFormat.DENSE)
                .singletonOrThrow()                                                       // [N, L, H]
                .add(positionEmbedding.get(new NDIndex("0:{}", length)));
        for (int i = 0; i < layerCount; i++) x = layers[i].forward(x);
        return x;
    }

    @Override
    public void close() { manager.close(); }

    /** One pre-norm transformer layer: x + attn(ln1(x)), then x + mlp(ln2(x)). */
    private static final class EncoderLayer {
        private final LayerNorm norm1, norm2;
        private final Linear q, k, v, out, fc1, fc2;
        private final int heads;
        private final boolean quickGelu;

        private EncoderLayer(LayerNorm norm1, LayerNorm norm2, Linear q, Linear k, Linear v, Linear out,
                             Linear fc1, Linear fc2, int heads, boolean quickGelu) {
            this.norm1 = norm1;
            this.norm2 = norm2;
            this.q = q;
            this.k = k;
            this.v = v;
            this.out = out;
            this.fc1 = fc1;
            this.fc2 = fc2;
            this.heads = heads;
            this.quickGelu = quickGelu;
        }

        static EncoderLayer load(WeightSource w, NDManager m, DataType dtype, Config c, String root, int i,
                                 Map<String, WeightSlot> slots)
                throws InvalidCheckpointException {
            long h = c.hidden();
            Parameters p = Parameters.loading(w, m, dtype, root + "transformer.text_model.encoder.layers." + i + ".", slots);
            Parameters attn = p.child("self_attn");
            return new EncoderLayer(LayerNorm.load(p.child("layer_norm1"), h, c.eps()), LayerNorm.load(p.child("layer_norm2"), h, c.eps()),
                    Linear.load(attn.child("q_proj"), h, h), Linear.load(attn.child("k_proj"), h, h),
                    Linear.load(attn.child("v_proj"), h, h), Linear.load(attn.child("out_proj"), h, h),
                    Linear.load(p.child("mlp").child("fc1"), h, c.mlp()), Linear.load(p.child("mlp").child("fc2"), c.mlp(), h),
                    c.heads(), c.quickGelu());
        }

        NDArray forward(NDArray x) { // [N, L, H]
            return ScopedCall.run(() -> {
                NDArray y = x.add(attention(norm1.forward(x)));
                NDArray hidden = fc1.forward(norm2.forward(y));
                NDArray act = quickGelu ? hidden.mul(hidden.mul(1.702).getNDArrayInternal().sigmoid())
                        : hidden.getNDArrayInternal().gelu();
                return y.add(fc2.forward(act));
            });
        }

        /** Causal multi-head self-attention (a token never attends to later tokens), through the shared kernel. */
        private NDArray attention(NDArray x) {
            NDArray qs = q.forward(x), ks = k.forward(x), vs = v.forward(x);
            Shape s = x.getShape();
            long n = s.get(0), length = s.get(1), hidden = s.get(2), d = hidden / heads;
            NDArray qh = qs.reshape(n, length, heads, d).transpose(0, 2, 1, 3);     // [N, h, L, d]
            NDArray kh = ks.reshape(n, length, heads, d).transpose(0, 2, 1, 3);
            NDArray vh = vs.reshape(n, length, heads, d).transpose(0, 2, 1, 3);
            NDArray o = Attention.scaledDotProduct(qh, kh, vh, true)                  // [N, h, L, d]
                    .transpose(0, 2, 1, 3).reshape(n, length, hidden);
            return out.forward(o);
        }
    }
}
