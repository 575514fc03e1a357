package org.diffusej.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.nn.WeightSlot;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SDXL's two text encoders: CLIP ViT-L ({@code conditioner.embedders.0.}) and OpenCLIP ViT-bigG
 * ({@code conditioner.embedders.1.}). The cross-attention context is both encoders' penultimate hidden states
 * (no final layer norm) concatenated on the feature axis, ViT-L first (768 + 1280 = 2048 in the real model); the
 * pooled embedding is the second encoder's pooled output times its {@code text_projection} (1280 in the real model).
 * The projection loads as transformers' {@code text_projection.weight [P, H]}; single files store OpenCLIP's
 * {@code model.text_projection [H, P]}, which the weights layer renames and transposes at load.
 * <p>The encoders can be {@link #release released} after a prompt is encoded (their arrays freed, their file
 * mappings unmapped: ~1.6 GB for the real model in fp16) and come back on their own, from the still open weights,
 * the next time they encode. Encoders patched by a LoRA are kept (a reload would lose the patch).
 */
public final class DualTextEncoder implements AutoCloseable {
    /** Root of the first (CLIP ViT-L) encoder's internal names. */
    public static final String ROOT_1 = "conditioner.embedders.0.";
    /** Root of the second (OpenCLIP ViT-bigG) encoder's internal names. */
    public static final String ROOT_2 = "conditioner.embedders.1.";

    private final WeightSource weights;
    private final TextEncoder.Config config1, config2;
    private final NDManager parent;
    private final DataType dtype;
    private final int pooledWidth;
    private Loaded loaded;    // null while released
    private int loads;

    /** The two encoders and the projection, in one manager that {@link #release} closes. */
    private record Loaded(TextEncoder first, TextEncoder second, NDManager manager, NDArray projection) { }

    private DualTextEncoder(WeightSource weights, TextEncoder.Config c1, TextEncoder.Config c2, NDManager parent,
                            DataType dtype) throws InvalidCheckpointException {
        this.weights = weights;
        this.config1 = c1;
        this.config2 = c2;
        this.parent = parent;
        this.dtype = dtype;
        this.loaded = loadNow();
        this.pooledWidth = (int) loaded.projection().getShape().get(1);
    }

    /**
     * Loads both encoders. Heads 0 take the real models' 64-channel heads; a null activation takes the model's
     * (quick_gelu for CLIP ViT-L, gelu for OpenCLIP bigG; a diffusers folder says gelu for its second encoder).
     * {@code w} must stay open while this encoder is used: a released encoder reloads from it.
     */
    public static DualTextEncoder load(WeightSource w, int heads1, String act1, int heads2, String act2,
                                       NDManager parent, DataType dtype) throws InvalidCheckpointException {
        TextEncoder.Config c1 = TextEncoder.Config.detect(w, ROOT_1, heads1, act1);
        TextEncoder.Config c2 = TextEncoder.Config.detect(w, ROOT_2, heads2, act2 != null ? act2 : "gelu");
        if (c1.layers() < 2 || c2.layers() < 2)
            throw new InvalidCheckpointException("SDXL conditions on the penultimate layer of both text encoders, so "
                    + "each needs at least 2 layers (found " + c1.layers() + " and " + c2.layers() + ").");
        return new DualTextEncoder(w, c1, c2, parent, dtype);
    }

    private Loaded loadNow() throws InvalidCheckpointException {
        NDManager m = parent.newSubManager();
        try {
            TextEncoder first = TextEncoder.load(weights, ROOT_1, config1, m, dtype);
            TextEncoder second = TextEncoder.load(weights, ROOT_2, config2, m, dtype);
            loads++;
            return new Loaded(first, second, m, projection(weights, config2.hidden(), m));
        } catch (InvalidCheckpointException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The encoders, loaded again from the weights if they were released. */
    private synchronized Loaded loaded() {
        if (loaded == null) {
            try {
                loaded = loadNow();
            } catch (InvalidCheckpointException e) {  // the same weights loaded before: the file changed under us
                throw new IllegalStateException("Cannot reload the SDXL text encoders: " + e.getMessage(), e);
            }
        }
        return loaded;
    }

    /**
     * Frees both encoders (arrays closed, zero-copy file mappings unmapped); the next encoding loads them again.
     * Does nothing while a LoRA patches them.
     * Encodings made before stay valid (they belong to their callers' managers).
     */
    public synchronized void release() {
        if (loaded == null || weightSlots().values().stream().anyMatch(WeightSlot::patched)) return;
        loaded.manager().close();
        loaded = null;
    }

    /** True while the encoders are in memory (after loading or encoding, until {@link #release}). */
    public synchronized boolean isLoaded() { return loaded != null; }

    /** How many times the encoders were loaded (1 after {@link #load}, one more per encoding after a release). */
    public synchronized int loadCount() { return loads; }

    private static NDArray projection(WeightSource w, int hidden, NDManager m) throws InvalidCheckpointException {
        String clip = ROOT_2 + "transformer.text_projection.weight";
        NDArray p;
        if (w.contains(clip) && w.shape(clip).length == 2 && w.shape(clip)[1] == hidden) {
            try (NDArray stored = w.load(clip, m, DataType.FLOAT32)) {                      // [P, H]
                p = stored.transpose().duplicate();
            }
        } else {
            throw new InvalidCheckpointException("The second SDXL text encoder has no text projection of width " + hidden
                    + " ('" + clip + "', or OpenCLIP's 'model.text_projection').");
        }
        NDScope.unregister(p);
        return p;
    }

    /**
     * Both encoders' linear weights by internal name (under {@link #ROOT_1} and {@link #ROOT_2}), patchable (LoRA).
     * Loads the encoders if they were released: slots taken before a release are stale after it ({@link #loadCount}).
     */
    public Map<String, WeightSlot> weightSlots() {
        Loaded l = loaded();
        Map<String, WeightSlot> all = new LinkedHashMap<>(l.first().weightSlots());
        all.putAll(l.second().weightSlots());
        return Collections.unmodifiableMap(all);
    }

    public TextEncoder.Config firstConfig() { return config1; }

    public TextEncoder.Config secondConfig() { return config2; }

    /** Width of the cross-attention context: both encoders' widths. */
    public int contextWidth() { return config1.hidden() + config2.hidden(); }

    /** Width of the pooled, projected embedding. */
    public int pooledWidth() { return pooledWidth; }

    /**
     * The first encoder's context part for A1111 clip skip {@code clipSkip} (1 = the penultimate layer, as SDXL
     * uses; each step further goes one layer back, like diffusers' {@code clip_skip} + 1): {@code [N, L, H1]}.
     */
    public NDArray firstContext(NDArray ids, int clipSkip) {
        TextEncoder first = loaded().first();
        return first.hiddenState(ids, layersFor(first, clipSkip));
    }

    /** The second encoder's context part, as {@link #firstContext}: {@code [N, L, H2]}. */
    public NDArray secondContext(NDArray ids, int clipSkip) {
        TextEncoder second = loaded().second();
        return second.hiddenState(ids, layersFor(second, clipSkip));
    }

    /** The pooled, projected embedding of the second encoder's ids {@code [N, L]}: {@code [N, P]} float32. */
    public NDArray pooled(NDArray ids2) {
        Loaded l = loaded();
        try (NDArray pooled = l.second().pooled(ids2)) {
            return pooled.matMul(l.projection().toDevice(pooled.getDevice(), false));
        }
    }

    private static int layersFor(TextEncoder e, int clipSkip) {
        int layers = e.config().layers() - clipSkip;
        if (clipSkip < 1 || layers < 1)
            throw new IllegalArgumentException("clipSkip must be 1.." + (e.config().layers() - 1) + ", got " + clipSkip);
        return layers;
    }

    @Override
    public void close() { release(); }
}
