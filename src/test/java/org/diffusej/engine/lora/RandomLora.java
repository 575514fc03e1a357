package org.diffusej.engine.lora;

import org.diffusej.engine.weights.SafetensorsFile;
import org.diffusej.engine.weights.SafetensorsWriter;
import org.diffusej.engine.weights.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A random LoRA for a fixture model, built in a test, and the reference it is checked against: a copy of the base
 * single file with {@code W + multiplier · alpha/rank · up·down} computed here, in double precision, directly on the
 * stored weight tensors (no engine code), for tests where no diffusers reference exists (SDXL, LCM-LoRA).
 * Values are 0.3·N(0,1) from {@code java.util.Random(seed)}, down then up per module, in list order.
 */
public final class RandomLora {
    /**
     * One low-rank update as it appears in both namings.
     *
     * @param kohya     kohya key prefix ({@code lora_unet_…}, {@code lora_te_…}, {@code lora_te1_…}, {@code lora_te2_…})
     * @param diffusers diffusers / peft module key ({@code unet.…}, {@code text_encoder.…}, {@code text_encoder_2.…})
     * @param weight    the base single file's tensor it patches
     * @param rowStart  first row patched (OpenCLIP's fused q/k/v: 0, H or 2H; else 0)
     * @param rows      rows patched (-1: all)
     */
    public record Module(String kohya, String diffusers, String weight, long rowStart, long rows) {
        public static Module of(String kohya, String diffusers, String weight) {
            return new Module(kohya, diffusers, weight, 0, -1);
        }

        boolean text() { return kohya.startsWith("lora_te"); }
    }

    private final List<Module> modules;
    private final int rank;
    private final Map<Module, long[]> downShapes = new LinkedHashMap<>();
    private final Map<Module, long[]> upShapes = new LinkedHashMap<>();
    private final Map<Module, float[]> downs = new LinkedHashMap<>();
    private final Map<Module, float[]> ups = new LinkedHashMap<>();

    private RandomLora(List<Module> modules, int rank) {
        this.modules = List.copyOf(modules);
        this.rank = rank;
    }

    /** Random matrices of the shapes {@code base}'s weights need (Linear: down [r,in], up [rows,r]; conv: 4-D). */
    public static RandomLora of(Path base, List<Module> modules, int rank, long seed) throws Exception {
        RandomLora l = new RandomLora(modules, rank);
        Random random = new Random(seed);
        try (SafetensorsFile f = SafetensorsFile.open(base)) {
            for (Module m : modules) {
                long[] w = f.info(m.weight()).shape();
                long rows = m.rows() < 0 ? w[0] : m.rows();
                long[] down = w.clone(), up = w.length == 4 ? new long[] {rows, rank, 1, 1} : new long[] {rows, rank};
                down[0] = rank;
                l.downShapes.put(m, down);
                l.upShapes.put(m, up);
                l.downs.put(m, gaussian(random, count(down)));
                l.ups.put(m, gaussian(random, count(up)));
            }
        }
        return l;
    }

    /** Kohya naming ({@code .lora_down.weight}, {@code .lora_up.weight}, 0-dim {@code .alpha}). */
    public Path writeKohya(Path file, float alpha) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        for (Module m : modules) {
            w.putFloats(m.kohya() + ".lora_down.weight", downShapes.get(m), downs.get(m));
            w.putFloats(m.kohya() + ".lora_up.weight", upShapes.get(m), ups.get(m));
            w.putFloats(m.kohya() + ".alpha", new long[0], new float[] {alpha});
        }
        return w.write(file);
    }

    /** Diffusers / peft naming ({@code .lora_A.weight}, {@code .lora_B.weight}, no alpha: scale 1). */
    public Path writeDiffusers(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        for (Module m : modules) {
            w.putFloats(m.diffusers() + ".lora_A.weight", downShapes.get(m), downs.get(m));
            w.putFloats(m.diffusers() + ".lora_B.weight", upShapes.get(m), ups.get(m));
        }
        return w.write(file);
    }

    /**
     * {@code base} with every patched weight replaced by {@code W + factor · up·down} (factor = textFactor for
     * {@code lora_te*} modules, else unetFactor; each already multiplier · alpha/rank), other tensors copied as stored.
     */
    public Path writeMerged(Path base, Path file, double textFactor, double unetFactor) throws Exception {
        byte[] all = Files.readAllBytes(base);
        long dataStart = 8 + ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Map<String, double[]> merged = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(base)) {
            for (Module m : modules) {
                double[] w = merged.computeIfAbsent(m.weight(), k -> toDouble(read(f, k)));
                long[] shape = f.info(m.weight()).shape();
                int rowSize = (int) (w.length / shape[0]);
                int rows = (int) upShapes.get(m)[0];
                float[] down = downs.get(m), up = ups.get(m);
                double factor = m.text() ? textFactor : unetFactor;
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < rowSize; j++) {
                        double sum = 0;
                        for (int k = 0; k < rank; k++) sum += (double) up[i * rank + k] * down[k * rowSize + j];
                        w[(int) ((m.rowStart() + i) * rowSize + j)] += factor * sum;
                    }
            }
            SafetensorsWriter out = new SafetensorsWriter();
            for (String name : f.names()) {
                TensorInfo t = f.info(name);
                double[] w = merged.get(name);
                if (w != null) out.putFloats(name, t.shape(), toFloat(w));
                else out.putRaw(name, t.dtype(), t.shape(),
                        Arrays.copyOfRange(all, (int) (dataStart + t.begin()), (int) (dataStart + t.end())));
            }
            return out.write(file);
        }
    }

    private static float[] read(SafetensorsFile f, String name) {
        try {
            return f.readFloats(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] gaussian(Random r, long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) (0.3 * r.nextGaussian());
        return v;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** The modules, in order. */
    public List<Module> modules() { return new ArrayList<>(modules); }
}
