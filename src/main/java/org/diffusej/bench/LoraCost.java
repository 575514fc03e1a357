package org.diffusej.bench;

import ai.djl.ndarray.NDManager;
import org.diffusej.engine.DiffusionException;
import org.diffusej.engine.lora.LoraFile;
import org.diffusej.engine.lora.LoraPatcher;
import org.diffusej.engine.lora.LoraUse;
import org.diffusej.engine.nn.WeightSlot;
import org.diffusej.engine.text.TextEncoder;
import org.diffusej.engine.unet.UNet;
import org.diffusej.engine.weights.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * What merging a LoRA into a loaded model costs: a random rank-N LoRA in kohya naming on every attention and
 * feed-forward layer of the UNet's transformers (q, k, v, out of self- and cross-attention, GEGLU in and out,
 * proj_in/proj_out) and on every text-encoder layer (q, k, v, out, fc1, fc2), applied through the engine's
 * {@link LoraPatcher}: seconds to apply, to switch to another strength, to restore the base, and the bytes the
 * patched copies hold. With random weights the patcher re-reads each stored tensor from {@link RandomWeights}, which
 * draws new numbers (costing about what a page-cache read of a real file does); {@code --checkpoint} measures a
 * real memory-mapped model.
 */
final class LoraCost implements AutoCloseable {
    private static final String UNET = "model.diffusion_model.";
    private static final String CLIP = "cond_stage_model.transformer.text_model.";

    private final LoraPatcher patcher;
    private final LoraFile file;
    private final Path folder;
    private final int modules;

    /** Writes the random LoRA for {@code unet} and {@code text} into a temporary folder. */
    LoraCost(UNet unet, TextEncoder text, int rank, NDManager manager) throws IOException, DiffusionException {
        this.patcher = new LoraPatcher(unet, text, manager);
        this.folder = Files.createTempDirectory("diffusej-bench-lora");
        SafetensorsWriter w = new SafetensorsWriter();
        Random random = new Random(0);
        int count = 0;
        for (WeightSlot s : unet.weightSlots().values()) {
            String n = s.name();
            boolean attention = n.contains(".transformer_blocks.") || n.endsWith(".proj_in.weight") || n.endsWith(".proj_out.weight");
            if (attention) count += put(w, "lora_unet_" + module(n, UNET), s.shape(), rank, random);
        }
        for (WeightSlot s : text.weightSlots().values())
            if (s.name().startsWith(CLIP)) count += put(w, "lora_te_text_model_" + module(s.name(), CLIP), s.shape(), rank, random);
        this.modules = count;
        this.file = LoraFile.open(w.write(folder.resolve("random-rank" + rank + ".safetensors")));
    }

    private static String module(String weightName, String root) {
        return weightName.substring(root.length(), weightName.length() - ".weight".length()).replace('.', '_');
    }

    /** One module: down [r, in(,1,1)], up [out, r(,1,1)] ~ N(0, 0.01²), alpha = rank. */
    private static int put(SafetensorsWriter w, String key, long[] shape, int rank, Random random) {
        long[] down = shape.clone(), up = shape.clone();
        down[0] = rank;
        up[1] = rank;
        w.putFloats(key + ".lora_down.weight", down, gaussian(random, down));
        w.putFloats(key + ".lora_up.weight", up, gaussian(random, up));
        w.putFloats(key + ".alpha", new long[0], new float[] {rank});
        return 1;
    }

    private static float[] gaussian(Random random, long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (0.01 * random.nextGaussian());
        return v;
    }

    int modules() { return modules; }

    long fileBytes() throws IOException { return Files.size(file.path()); }

    /** Applies the LoRA at {@code multiplier} (0: restores the base); seconds it took. */
    double apply(double multiplier) throws DiffusionException {
        patcher.apply(multiplier == 0 ? List.of() : List.of(LoraUse.of(file, multiplier)));
        return patcher.lastSeconds();
    }

    /** Bytes held by the patched copies now. */
    long patchedBytes() { return patcher.patchedBytes(); }

    @Override
    public void close() throws IOException, DiffusionException {
        patcher.clear();
        Files.deleteIfExists(file.path());
        Files.deleteIfExists(folder);
    }
}
