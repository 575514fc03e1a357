package org.diffusej.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.runtime.CpuFeatures;
import org.diffusej.engine.runtime.TorchOps;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.engine.runtime.PrecisionQualifier;
import org.diffusej.engine.runtime.PrecisionVerdict;
import org.diffusej.engine.runtime.CpuFeatures;
import org.diffusej.engine.runtime.TorchOps;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.engine.weights.CheckpointRecognizer;
import org.diffusej.engine.weights.InvalidCheckpointException;
import org.diffusej.engine.weights.WeightSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The shipped benchmark: builds Stable Diffusion 1.5 (random weights of the real architecture, or a real
 * checkpoint) and times text encoding, UNet steps with classifier-free guidance (batch 2) and VAE decoding at
 * the requested sizes, next to a fixed {@link ReferenceWorkload}. Run it with {@code diffusej bench} or
 * {@code tools/bench} (options: {@link BenchmarkOptions#USAGE}).
 */
public final class Benchmark {
    private static final float GUIDANCE = 7.5f;

    private final BenchmarkOptions options;
    private final Device device;
    private ReferenceWorkload reference;
    /** Highest peak RSS seen so far: each stage resets the kernel's peak, so the run's peak is kept here. */
    private long runPeakRss = -1;

    public Benchmark(BenchmarkOptions options) {
        this.options = options;
        this.device = options.device().equals("gpu") ? Device.gpu() : Device.cpu();
    }

    /** Runs the benchmark described by the command-line {@code args}, prints the table, writes the JSON. */
    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        BenchmarkReport report = new Benchmark(options).run(System.out::println);
        System.out.print(report.table());
        if (options.json() != null) {
            report.write(options.json());
            System.out.println("JSON report: " + options.json());
        }
    }

    /** Builds the model, times every stage and returns the report; {@code log} receives progress lines. */
    public BenchmarkReport run(java.util.function.Consumer<String> log) throws InvalidCheckpointException {
        Engine engine = TorchRuntime.engine();
        if (options.threads() > 0) {
            JniUtils.setNumThreads(options.threads());
        }
        if (device.isGpu() && engine.getGpuCount() == 0) {
            throw new IllegalArgumentException("--device gpu, but libtorch sees no GPU (CUDA natives need -Pcuda)");
        }
        engine.setRandomSeed(0);
        ProcessMemory.resetPeak();
        try (NDManager manager = TorchRuntime.newManager(device);
                ReferenceWorkload referenceWorkload = new ReferenceWorkload(manager)) {
            this.reference = referenceWorkload;
            double referenceSeconds = timeReference();
            log.accept(String.format("reference workload: %.3f s", referenceSeconds));
            if (options.preset() != null) return runPreset(manager, referenceSeconds, log);
            long start = System.nanoTime();
            try (BenchmarkModel model = loadModel(manager)) {
                log.accept(String.format("model ready in %.1f s: %s", (System.nanoTime() - start) / 1e9,
                        model.description()));
                if (options.loraRank() > 0) return runLora(model, manager, referenceSeconds, log);
                List<BenchmarkReport.Stage> stages = new ArrayList<>();
                stages.add(measure("text_encode", 0, 2, () -> model.encodeText(manager), log));
                try (NDArray context = model.encodeText(manager)) {
                    for (int size : options.sizes()) {
                        stages.add(measure("unet_step_cfg", size, 2, () -> model.unetStep(context, size), log));
                    }
                }
                for (int size : options.sizes()) {
                    stages.add(measure("vae_decode", size, 1, () -> model.decode(manager, size), log));
                }
                notePeakRss();
                return new BenchmarkReport(environment(model), referenceSeconds, stages, runPeakRss);
            }
        }
    }

    /** Times whole generations of the preset (prompt to decoded image) at each size, one stage per size. */
    private BenchmarkReport runPreset(NDManager manager, double referenceSeconds, java.util.function.Consumer<String> log)
            throws InvalidCheckpointException {
        EndToEndPreset preset = EndToEndPreset.named(options.preset(), options.quick());
        long start = System.nanoTime();
        DataType type = ModelOptions.precisionNamed(options.precision());
        try (EndToEnd run = new EndToEnd(preset, options.quick(), manager, type)) {
            log.accept(String.format("model ready in %.1f s: %s", (System.nanoTime() - start) / 1e9, run.description()));
            List<BenchmarkReport.Stage> stages = new ArrayList<>();
            for (int size : options.sizes()) {
                stages.add(measure("end_to_end " + preset.name(), size, 1, () -> run.generate(manager, size), log));
            }
            notePeakRss();
            Map<String, String> env = environment(run.description());
            return new BenchmarkReport(env, referenceSeconds, stages, runPeakRss);
        }
    }

    /**
     * Applies a random rank-{@code --lora-rank} LoRA at 0.8, switches it to 0.5 and restores the base, warm-up + steps
     * times: one stage each; the patched bytes and resident memory go into the environment lines.
     */
    private BenchmarkReport runLora(BenchmarkModel model, NDManager manager, double referenceSeconds,
                                    java.util.function.Consumer<String> log) throws InvalidCheckpointException {
        try (LoraCost lora = new LoraCost(model.unet(), model.text(), options.loraRank(), manager)) {
            List<List<Double>> times = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            long before = ProcessMemory.residentBytes(), applied = -1, patched = -1, restored = -1;
            double[] multipliers = {0.8, 0.5, 0};
            for (int i = 0; i < options.warmup() + options.steps(); i++) {
                double[] s = new double[3], c = new double[3];
                for (int k = 0; k < 3; k++) {
                    long cpuStart = ProcessMemory.cpuNanos();
                    s[k] = lora.apply(multipliers[k]);
                    c[k] = (ProcessMemory.cpuNanos() - cpuStart) / 1e9;
                    if (k == 1) {
                        applied = ProcessMemory.residentBytes();
                        patched = lora.patchedBytes();
                    }
                }
                restored = ProcessMemory.residentBytes();
                log.accept(String.format("lora run %d: apply %.2f s (CPU %.2f s), switch %.2f s (CPU %.2f s), restore %.3f s"
                        + " (CPU %.3f s)%s", i + 1, s[0], c[0], s[1], c[1], s[2], c[2], i < options.warmup() ? " (warm-up)" : ""));
                if (i >= options.warmup()) for (int k = 0; k < 3; k++) {
                    times.get(k).add(s[k]);
                    cpu.get(k).add(c[k]);
                }
            }
            long peak = notePeakRss();
            List<BenchmarkReport.Stage> stages = new ArrayList<>();
            String[] names = {"lora_apply", "lora_switch", "lora_restore"};
            for (int k = 0; k < 3; k++)
                stages.add(new BenchmarkReport.Stage(names[k] + " r" + options.loraRank(), 0, 1, times.get(k), peak, -1, 0));
            Map<String, String> env = environment(model);
            env.put("lora", String.format(java.util.Locale.ROOT, "rank %d, %d modules, file %.1f MB; patched copies %.0f MB;"
                    + " RSS %.0f MB before, %.0f MB applied, %.0f MB restored; process CPU s (median) apply %.2f,"
                    + " switch %.2f, restore %.3f", options.loraRank(), lora.modules(), lora.fileBytes() / 1e6,
                    patched / 1e6, before / 1e6, applied / 1e6, restored / 1e6, median(cpu.get(0)), median(cpu.get(1)),
                    median(cpu.get(2))));
            return new BenchmarkReport(env, referenceSeconds, stages, runPeakRss);
        } catch (java.io.IOException | org.diffusej.engine.DiffusionException e) {
            throw new IllegalStateException("the LoRA benchmark cannot run: " + e.getMessage(), e);
        }
    }

    private double timeReference() {
        reference.runOnce();
        return median(referenceRuns(new ArrayList<>()));
    }

    /** Adds three timed runs of the reference workload to {@code runs} and returns it. */
    private List<Double> referenceRuns(List<Double> runs) {
        for (int i = 0; i < 3; i++) {
            runs.add(reference.runOnce());
        }
        return runs;
    }

    private static double median(List<Double> values) {
        return new BenchmarkReport.Stage("reference", 0, 1, values, -1, -1, 0).medianSeconds();
    }

    private BenchmarkModel loadModel(NDManager manager) throws InvalidCheckpointException {
        DataType unetType = ModelOptions.precisionNamed(options.precision());
        if (options.checkpoint() != null) {
            WeightSource weights = CheckpointRecognizer.open(options.checkpoint()).weights();
            return BenchmarkModel.fromWeights(weights, manager, unetType,
                    options.checkpoint().getFileName().toString());
        }
        return BenchmarkModel.random(options.quick(), manager, unetType);
    }

    private BenchmarkReport.Stage measure(String stage, int size, int batch, Supplier<NDArray> run,
            java.util.function.Consumer<String> log) {
        // The machine's speed around this stage, for its ratio: one short run alone varies by ±30 % on shared
        // machines, so the median of three runs before and three after the stage.
        List<Double> referenceAround = referenceRuns(new ArrayList<>());
        notePeakRss();
        ProcessMemory.resetPeak();
        long deviceBytes = -1;
        List<Double> seconds = new ArrayList<>();
        for (int i = 0; i < options.warmup() + options.steps(); i++) {
            long start = System.nanoTime();
            long cpuStart = ProcessMemory.cpuNanos();
            try (NDScope scope = new NDScope()) {
                run.get().sum().getFloat(); // reading back forces the work to finish (GPU)
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double cpu = (ProcessMemory.cpuNanos() - cpuStart) / 1e9;
            if (device.isGpu()) {
                deviceBytes = Math.max(deviceBytes, CudaUtils.getGpuMemory(device).getCommitted());
            }
            if (i >= options.warmup()) {
                seconds.add(elapsed);
            }
            // CPU seconds of the process beside the wall time: on a shared machine the wall time also counts waiting
            log.accept(String.format("%s%s run %d: %.3f s (process CPU %.2f s)%s", stage, size > 0 ? " " + size + "²" : "",
                    i + 1, elapsed, cpu, i < options.warmup() ? " (warm-up)" : ""));
        }
        long peak = notePeakRss();
        double stageReference = median(referenceRuns(referenceAround));
        return new BenchmarkReport.Stage(stage, size, batch, seconds, peak, deviceBytes, stageReference);
    }

    /** Reads the kernel's current peak, folds it into the run's peak and returns the reading. */
    private long notePeakRss() {
        long peak = ProcessMemory.peakResidentBytes();
        runPeakRss = Math.max(runPeakRss, peak);
        return peak;
    }

    private Map<String, String> environment(BenchmarkModel model) {
        return environment(model.description());
    }

    private Map<String, String> environment(String modelDescription) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("cpu", cpuName());
        env.put("threads", String.valueOf(JniUtils.getNumThreads()));
        env.put("device", device.toString());
        env.put("precision", options.precision() + (options.precision().equals("fp16") ? " (VAE fp32)"
                : options.precision().equals("bf16") ? bf16Note() : ""));
        env.put("memory", TorchRuntime.hugePagesStatus());
        env.put("openmp", "wait policy " + TorchRuntime.ompWaitPolicy());
        env.put("attention", TorchOps.available() ? "native SDPA" : "sliced explicit (" + TorchOps.status() + ")");
        env.put("model", modelDescription);
        env.put("libtorch", TorchRuntime.engine().getVersion());
        env.put("java", System.getProperty("java.version"));
        env.put("warm-up/runs", options.warmup() + "/" + options.steps());
        return env;
    }

    private static String cpuName() {
        return CpuFeatures.modelName() + " (" + Runtime.getRuntime().availableProcessors() + " cores visible)";
    }

    /**
     * The benchmark runs bf16 wherever it is asked to (it measures speed, also emulated), but says whether bf16 is
     * native and whether it passed its self-test here: timings of a failing bf16 are not of a usable mode.
     */
    private static String bf16Note() {
        PrecisionVerdict v = PrecisionQualifier.bf16();
        return (CpuFeatures.nativeBf16() ? " (native" : " (emulated: no native bf16 on this CPU")
                + (v.qualifies() ? "; self-test passed)" : "; FAILED its self-test: " + v.summary() + ")");
    }

    static Shape latentShape(int batch, int size, int downscale) {
        return new Shape(batch, 4, size / downscale, size / downscale);
    }

    static float guidance() {
        return GUIDANCE;
    }
}
