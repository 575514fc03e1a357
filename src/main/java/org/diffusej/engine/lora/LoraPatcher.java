package org.diffusej.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.nn.WeightSlot;
import org.diffusej.engine.text.DualTextEncoder;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.SafetensorsFile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges a set of LoRAs into a loaded model's weights and takes them out again. Each patched weight becomes
 * {@code stored + Σ multiplier · alpha/rank · up·down}, computed in float32 from the weight source's stored tensor
 * (so sets never drift, however often they change); weights no LoRA touches any more return to their loaded base
 * array, bit for bit ({@link WeightSlot}). The whole set is checked (every module must match a layer of the right
 * shape) before any weight changes: a LoRA is applied completely or not at all.
 */
public final class LoraPatcher {
    private LoraTargets targets;
    private final NDManager manager;
    private final UNet unet;
    private final DualTextEncoder dual;   // SDXL's encoders, which reload after a release; null for SD1/SD2
    private int textLoads;                // dual's load count when targets were built
    private final Set<WeightSlot> patched = new LinkedHashSet<>();
    private List<LoraUse> applied = List.of();
    private double lastSeconds;

    /** @param manager a manager on the model's device (deltas are computed in sub-managers of it) */
    public LoraPatcher(UNet unet, TextEncoder text, NDManager manager) {
        this.targets = new LoraTargets(unet, text.weightSlots(), text.config().hidden());
        this.manager = manager;
        this.unet = unet;
        this.dual = null;
    }

    /** For an SDXL model: {@code lora_te1_} / {@code lora_te2_} modules patch its first and second text encoder. */
    public LoraPatcher(UNet unet, DualTextEncoder text, NDManager manager) {
        this.manager = manager;
        this.unet = unet;
        this.dual = text;
        refreshTargets();
    }

    /** SDXL's encoders were released (and maybe loaded again) since the table was built: their slots are new objects. */
    private void refreshTargets() {
        if (dual == null || (targets != null && dual.isLoaded() && dual.loadCount() == textLoads)) return;
        var slots = dual.weightSlots();   // loads them first if released
        targets = new LoraTargets(unet, slots, dual.firstConfig().hidden());
        textLoads = dual.loadCount();
    }

    /** The set in effect (empty: the base model). */
    public synchronized List<LoraUse> applied() { return applied; }

    /** Seconds the last change of set took (0 when the set was unchanged). */
    public synchronized double lastSeconds() { return lastSeconds; }

    /** Bytes held by patched copies (weights in the network's precision); the bases stay as loaded. */
    public synchronized long patchedBytes() {
        long bytes = 0;
        for (WeightSlot s : patched) bytes += s.get().getShape().size() * s.get().getDataType().getNumOfBytes();
        return bytes;
    }

    /**
     * Makes {@code uses} the LoRAs in effect (an empty list restores the base model). Nothing is recomputed when the
     * set equals the current one.
     *
     * @throws InvalidLoraException when a module matches no layer or a layer of another shape; the model is unchanged
     */
    public synchronized void apply(List<LoraUse> uses) throws DiffusionException {
        if (uses.equals(applied)) {
            lastSeconds = 0;
            return;
        }
        long started = System.nanoTime();
        refreshTargets();
        Map<WeightSlot, List<Part>> plan = plan(uses);
        try {
            for (Map.Entry<WeightSlot, List<Part>> e : plan.entrySet()) patch(e.getKey(), e.getValue());
            for (WeightSlot s : patched) if (!plan.containsKey(s)) s.restore();
        } catch (DiffusionException | RuntimeException e) {
            for (WeightSlot s : plan.keySet()) s.restore();
            for (WeightSlot s : patched) s.restore();
            patched.clear();
            applied = List.of();
            throw e;
        }
        patched.clear();
        patched.addAll(plan.keySet());
        applied = List.copyOf(uses);
        lastSeconds = (System.nanoTime() - started) / 1e9;
    }

    /** Back to the base model. */
    public void clear() throws DiffusionException { apply(List.of()); }

    /** One module's contribution to a weight. */
    private record Part(LoraUse use, LoraFile.Module module, LoraTargets.Target target, double factor) { }

    /** Matches every module of every LoRA to its weight and checks shapes; refuses before anything is changed. */
    private Map<WeightSlot, List<Part>> plan(List<LoraUse> uses) throws InvalidLoraException {
        Map<WeightSlot, List<Part>> plan = new LinkedHashMap<>();
        for (LoraUse use : uses) {
            List<String> unmatched = new ArrayList<>();
            List<String> misfits = new ArrayList<>();
            for (LoraFile.Module m : use.file().modules()) {
                LoraTargets.Target t = targets.find(m.key());
                if (t == null) {
                    unmatched.add(m.key());
                    continue;
                }
                String misfit = misfit(m, t);
                if (misfit != null) {
                    misfits.add(misfit);
                    continue;
                }
                double factor = use.multiplier(m.component()) * m.scale();
                if (factor != 0) plan.computeIfAbsent(t.slot(), k -> new ArrayList<>()).add(new Part(use, m, t, factor));
            }
            String file = use.file().path().getFileName().toString();
            if (!misfits.isEmpty()) throw new InvalidLoraException(file + " is a LoRA for another model architecture"
                    + architectureHint(use.file()) + ": " + misfits.size() + " of its modules do not fit this model's "
                    + "layers, e.g. " + String.join("; ", misfits.subList(0, Math.min(2, misfits.size())))
                    + ". Nothing was applied.");
            if (unmatched.size() == use.file().modules().size()) throw new InvalidLoraException(file + " matches no "
                    + "layer of this model (none of its " + unmatched.size() + " modules, e.g. "
                    + LoraFile.examples(unmatched) + "): " + familyMismatch(use.file()) + " Nothing was applied.");
            if (!unmatched.isEmpty()) throw new InvalidLoraException(file + " has " + unmatched.size() + " of "
                    + use.file().modules().size() + " modules that match no layer of this model: "
                    + LoraFile.examples(unmatched) + ". Nothing was applied (a partly applied LoRA would not be the "
                    + "LoRA its author trained).");
        }
        return plan;
    }

    /** Null when up·down has the target's shape (1×1 convolution and linear layers count as the same). */
    private static String misfit(LoraFile.Module m, LoraTargets.Target t) {
        long[] down = m.downShape(), up = m.upShape(), w = t.slot().shape();
        long out = up[0], in = down.length > 1 ? down[1] : -1;
        long kernel = down.length == 4 ? down[2] * down[3] : 1;
        long rowSize = 1;
        for (int i = 1; i < w.length; i++) rowSize *= w[i];
        boolean ok = (down.length == 2 || down.length == 4) && up.length == down.length && up[1] == down[0]
                && (up.length == 2 || up[2] * up[3] == 1) && out == t.rows() && in * kernel == rowSize
                && (w.length == 4 && down.length == 4 ? w[1] == in && w[2] == down[2] && w[3] == down[3] : kernel == 1);
        if (ok) return null;
        return m.key() + " makes a " + Arrays.toString(deltaShape(down, up)) + " update for a "
                + Arrays.toString(w) + " weight";
    }

    private static long[] deltaShape(long[] down, long[] up) {
        long[] s = down.clone();
        s[0] = up[0];
        return s;
    }

    /** "(an SDXL LoRA on a Stable Diffusion 1.x/2.x model)", or the text-encoder widths when they tell. */
    private String architectureHint(LoraFile file) {
        if (file.isSdxl() != targets.xl()) return file.isSdxl() ? " (an SDXL LoRA on a Stable Diffusion 1.x/2.x model)"
                : " (a Stable Diffusion 1.x/2.x LoRA on an SDXL model)";
        for (LoraFile.Module m : file.modules())
            if (m.component() == LoraFile.Component.TEXT_ENCODER && m.key().endsWith("q_proj") && m.downShape().length == 2) {
                long width = m.downShape()[1];
                if (width != targets.textWidth())
                    return " (its text-encoder layers are " + width + " wide" + family(width) + "; this model's are "
                            + targets.textWidth() + family(targets.textWidth()) + ")";
            }
        return "";
    }

    /** Why nothing matched, in the model families' words. */
    private String familyMismatch(LoraFile file) {
        boolean xlLora = file.isSdxl();
        if (xlLora && !targets.xl()) return "it is an SDXL LoRA and this is a Stable Diffusion 1.x/2.x model.";
        if (!xlLora && targets.xl() && file.modules().stream().anyMatch(m -> m.key().startsWith("lora_te_")))
            return "it is a LoRA for Stable Diffusion 1.x/2.x (lora_te_ keys) and this is an SDXL model.";
        return "it is not a LoRA for a " + (targets.xl() ? "SDXL" : "Stable Diffusion 1.x/2.x") + " model of this layout.";
    }

    private static String family(long width) {
        return width == 768 ? ", SD 1.x" : width == 1024 ? ", SD 2.x" : "";
    }

    /** Σ factor · up·down for one weight, in float32, then {@link WeightSlot#patch}. */
    private void patch(WeightSlot slot, List<Part> parts) throws DiffusionException {
        try (NDManager m = manager.newSubManager()) {
            long[] w = slot.shape();
            long rowSize = 1;
            for (int i = 1; i < w.length; i++) rowSize *= w[i];
            NDArray delta = m.zeros(new Shape(w[0], rowSize), DataType.FLOAT32);
            Map<LoraFile, SafetensorsFile> open = new LinkedHashMap<>();
            try {
                for (Part p : parts) {
                    SafetensorsFile f = open.get(p.use().file());
                    if (f == null) {
                        f = SafetensorsFile.open(p.use().file().path());
                        open.put(p.use().file(), f);
                    }
                    NDArray down = f.load(p.module().down(), m, DataType.FLOAT32).toDevice(m.getDevice(), false);
                    NDArray up = f.load(p.module().up(), m, DataType.FLOAT32).toDevice(m.getDevice(), false);
                    long rank = p.module().rank();
                    NDArray product = up.reshape(p.target().rows(), rank).matMul(down.reshape(rank, rowSize))
                            .mul((float) p.factor());                                   // [rows, in·kh·kw]
                    delta = delta.add(product);
                }
            } catch (InvalidCheckpointException e) {
                throw new InvalidLoraException("Cannot read the LoRA: " + e.getMessage(), e);
            } finally {
                for (SafetensorsFile f : open.values()) f.close();
            }
            slot.patch(delta);
        }
    }
}
