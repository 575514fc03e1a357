package org.diffusej.engine.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenCLIP text encoder (SD2's ViT-H, SDXL's bigG in single files, under {@code root + "model."}) seen under the
 * CLIP naming of transformers ({@code root + "transformer.text_model."}), as diffusers' converter renames it: the
 * fused {@code attn.in_proj_weight [3H, H]} becomes {@code self_attn.q_proj/k_proj/v_proj} (its row thirds),
 * {@code ln_1}/{@code ln_2}/{@code mlp.c_fc}/{@code mlp.c_proj}/{@code ln_final} the CLIP layer names, and
 * {@code text_projection [H, P]} the transposed {@code transformer.text_projection.weight [P, H]}. So text encoders
 * load one naming only. Other names pass unchanged.
 */
public final class OpenClipNames implements WeightSource {
    private static final Pattern LAYER = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final String[] QKV = {"q_proj", "k_proj", "v_proj"};

    /** Where an internal name comes from: a stored tensor, one row third of it ({@code third} 0..2), or its transpose. */
    private record Source(String stored, int third, boolean transposed) { }

    private final WeightSource inner;
    private final Map<String, Source> byInternal;

    /**
     * @param root     the encoder's root ({@code cond_stage_model.} SD2, {@code conditioner.embedders.1.} SDXL)
     * @param dropLast leave out the last resblock: SD2 files hold one layer more than SD2 runs (its penultimate
     *                 layer is the output), and diffusers' converter drops it too; SDXL's bigG keeps all
     */
    public OpenClipNames(WeightSource inner, String root, boolean dropLast) {
        this.inner = inner;
        String open = root + "model.", clip = root + "transformer.text_model.";
        int layers = 0;
        while (inner.contains(open + "transformer.resblocks." + layers + ".ln_1.weight")) layers++;
        int kept = dropLast ? Math.max(layers - 1, 0) : layers;
        Map<String, Source> names = new LinkedHashMap<>();
        for (String stored : inner.names()) {
            if (!stored.startsWith(open)) {
                names.put(stored, new Source(stored, -1, false));
                continue;
            }
            String rest = stored.substring(open.length());
            Matcher m = LAYER.matcher(rest);
            if (m.matches()) {
                int i = Integer.parseInt(m.group(1));
                if (i >= kept) continue;
                String layer = clip + "encoder.layers." + i + ".";
                String part = m.group(2);
                if (part.startsWith("attn.in_proj_")) {
                    String kind = part.substring("attn.in_proj_".length());          // weight or bias
                    for (int t = 0; t < 3; t++)
                        names.put(layer + "self_attn." + QKV[t] + "." + kind, new Source(stored, t, false));
                } else {
                    names.put(layer + layerPart(part), new Source(stored, -1, false));
                }
            } else if (rest.equals("text_projection")) {
                names.put(root + "transformer.text_projection.weight", new Source(stored, -1, true));
            } else {
                names.put(clip + topPart(rest), new Source(stored, -1, false));
            }
        }
        this.byInternal = Collections.unmodifiableMap(names);
    }

    private static String layerPart(String part) {
        return part.replaceFirst("^ln_1\\.", "layer_norm1.").replaceFirst("^ln_2\\.", "layer_norm2.")
                .replaceFirst("^attn\\.out_proj\\.", "self_attn.out_proj.")
                .replaceFirst("^mlp\\.c_fc\\.", "mlp.fc1.").replaceFirst("^mlp\\.c_proj\\.", "mlp.fc2.");
    }

    private static String topPart(String rest) {
        return switch (rest) {
            case "token_embedding.weight" -> "embeddings.token_embedding.weight";
            case "positional_embedding" -> "embeddings.position_embedding.weight";
            default -> rest.replaceFirst("^ln_final\\.", "final_layer_norm.");
        };
    }

    @Override public Set<String> names() { return byInternal.keySet(); }

    @Override public boolean contains(String name) { return byInternal.containsKey(name); }

    @Override
    public long[] shape(String name) {
        Source s = byInternal.get(name);
        if (s == null) throw new IllegalArgumentException("no tensor '" + name + "'");
        long[] shape = inner.shape(s.stored());
        if (s.third() >= 0) shape[0] /= 3;
        if (s.transposed()) return new long[] {shape[1], shape[0]};
        return shape;
    }

    @Override
    public NDArray load(String name, NDManager manager) throws InvalidCheckpointException {
        Source s = source(name);
        return derived(inner.load(s.stored(), manager), s);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws InvalidCheckpointException {
        Source s = source(name);
        return derived(inner.load(s.stored(), manager, type), s);
    }

    private Source source(String name) throws InvalidCheckpointException {
        Source s = byInternal.get(name);
        if (s == null) throw new InvalidCheckpointException("The checkpoint has no tensor '" + name + "'.");
        return s;
    }

    /** The stored tensor's row third or transpose as an array of its own (the stored one is freed). */
    private static NDArray derived(NDArray stored, Source s) {
        if (s.third() < 0 && !s.transposed()) return stored;
        try (stored) {
            if (s.transposed()) return stored.transpose().duplicate();
            long rows = stored.getShape().get(0) / 3;
            return stored.get(new NDIndex("{}:{}", s.third() * rows, (s.third() + 1) * rows)).duplicate();
        }
    }

    @Override public void close() { inner.close(); }
}
