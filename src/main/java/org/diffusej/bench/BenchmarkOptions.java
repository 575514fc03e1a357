package org.diffusej.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What to benchmark and how.
 *
 * @param device     "cpu" or "gpu"
 * @param precision  "fp32", "fp16" (GPU; the VAE stays fp32) or "bf16" (CPU bfloat16 compute; runs even where the
 *                   CPU emulates bf16, to measure it)
 * @param threads    libtorch intra-op threads, 0 = libtorch's default
 * @param sizes      image edges in pixels, each a multiple of 64 (8× VAE downscale times the UNet's 8)
 * @param steps      measured runs per stage after warm-up (the reported figure is their median)
 * @param warmup     unmeasured runs per stage first
 * @param checkpoint a real model (single file or diffusers folder) instead of random weights, or null
 * @param json       where to write the JSON report, or null
 * @param quick      a tiny model of SD1.5's topology (small widths) instead of full size, for CI
 * @param preset     an {@link EndToEndPreset} name: time whole generations (prompt to decoded image) instead of
 *                   stages; null for the stage benchmark
 * @param loraRank   above 0: time applying, switching and removing a random LoRA of this rank ({@link LoraCost})
 *                   instead of the stages; 0 for none
 */
public record BenchmarkOptions(String device, String precision, int threads, List<Integer> sizes, int steps,
        int warmup, Path checkpoint, Path json, boolean quick, String preset, int loraRank) {
    public static final String USAGE = "options: --device cpu|gpu  --precision fp32|fp16|bf16  --threads N  "
            + "--sizes 512,256  --steps N  --warmup N  --checkpoint FILE|FOLDER  --json FILE  --quick  "
            + "--preset sd15-dpm|turbo-taesd|lcm-taesd|sdxl-euler  --lora-rank N";

    public BenchmarkOptions {
        device = device.toLowerCase(Locale.ROOT);
        precision = precision.toLowerCase(Locale.ROOT);
        sizes = List.copyOf(sizes);
        if (!device.equals("cpu") && !device.equals("gpu")) {
            throw new IllegalArgumentException("device must be cpu or gpu, not " + device);
        }
        if (!List.of("fp32", "fp16", "bf16").contains(precision)) {
            throw new IllegalArgumentException("precision must be fp32, fp16 or bf16, not " + precision);
        }
        if (loraRank < 0) throw new IllegalArgumentException("--lora-rank must be 1 or more");
        if (loraRank > 0 && preset != null) throw new IllegalArgumentException("--lora-rank and --preset are separate runs");
        if (steps < 1 || warmup < 0 || threads < 0 || sizes.isEmpty()) {
            throw new IllegalArgumentException("need steps >= 1, warmup >= 0, threads >= 0 and at least one size");
        }
        if (preset != null) {
            EndToEndPreset.named(preset, quick); // refuses unknown names
            if (checkpoint != null) throw new IllegalArgumentException("--preset uses random weights; drop --checkpoint");
        }
        for (int size : sizes) {
            if (size < 64 || size % 64 != 0) {
                throw new IllegalArgumentException("size " + size + " must be a multiple of 64");
            }
        }
    }

    /** The defaults: CPU, fp32, libtorch's threads, 512² and 256², 3 measured runs after 1 warm-up. */
    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions("cpu", "fp32", 0, List.of(512, 256), 3, 1, null, null, false, null, 0);
    }

    /**
     * Parses command-line options over {@link #defaults()}; {@code --quick} also switches to size 64, 2 runs;
     * {@code --preset} alone runs at 512².
     */
    public static BenchmarkOptions parse(String... args) {
        BenchmarkOptions o = defaults();
        String device = o.device, precision = o.precision;
        int threads = o.threads, steps = o.steps, warmup = o.warmup;
        List<Integer> sizes = o.sizes;
        Path checkpoint = null, json = null;
        String preset = null;
        int loraRank = 0;
        boolean sizesGiven = false;
        boolean quick = List.of(args).contains("--quick");
        if (quick) {
            sizes = List.of(64);
            steps = 2;
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a + "; " + USAGE);
            }
            String v = args[++i];
            switch (a) {
                case "--device": device = v; break;
                case "--precision": precision = v; break;
                case "--threads": threads = Integer.parseInt(v); break;
                case "--sizes": sizes = parseSizes(v); sizesGiven = true; break;
                case "--preset": preset = v; break;
                case "--lora-rank": loraRank = Integer.parseInt(v); break;
                case "--steps": steps = Integer.parseInt(v); break;
                case "--warmup": warmup = Integer.parseInt(v); break;
                case "--checkpoint": checkpoint = Path.of(v); break;
                case "--json": json = Path.of(v); break;
                default: throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
            }
        }
        if (preset != null && !quick && !sizesGiven) sizes = List.of(512); // presets are defined at 512²
        return new BenchmarkOptions(device, precision, threads, sizes, steps, warmup, checkpoint, json, quick, preset,
                loraRank);
    }

    private static List<Integer> parseSizes(String list) {
        List<Integer> sizes = new ArrayList<>();
        for (String part : list.split(",")) {
            sizes.add(Integer.parseInt(part.trim()));
        }
        return sizes;
    }
}
