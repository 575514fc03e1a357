package org.diffusej.diagnostics;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import org.diffusej.engine.nn.AttentionKernel;
import org.diffusej.engine.runtime.TorchOps;
import org.diffusej.engine.runtime.TorchRuntime;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * libtorch as DJL loaded it: versions, which native build (CPU or CUDA), whether it sees a GPU, its threads, and the
 * attention kernel in use.
 *
 * @param djlVersion      DJL's version
 * @param libtorchVersion the native libtorch's version
 * @param flavour         the native build: {@code cpu}, {@code cu124}, ... (from its folder name)
 * @param libraryFolder   where the native library was loaded from (home folder as ~)
 * @param cuda            true when libtorch was built with CUDA
 * @param gpuCount        GPUs libtorch sees
 * @param defaultDevice   the device {@code auto} runs on
 * @param cudaRuntime     what the CUDA runtime reports outside libtorch (a GPU next to a CPU-only build shows here)
 * @param threads         libtorch's intra-op threads
 * @param interopThreads  libtorch's inter-op threads
 * @param attention       the attention kernel ({@code -Ddiffusej.attention}) and whether the native one loads
 */
public record TorchSection(String djlVersion, String libtorchVersion, String flavour, String libraryFolder,
                           boolean cuda, int gpuCount, String defaultDevice, String cudaRuntime, int threads,
                           int interopThreads, String attention) implements Facts {
    private static final Pattern FLAVOUR = Pattern.compile("-(cpu|cu\\d+|rocm[\\d.]*)(?:-|$)");

    /** Loads libtorch (through {@link TorchRuntime}, so its allocator is set up first) and reads it. */
    static TorchSection gather() {
        Engine engine = TorchRuntime.engine();
        String folder = LibUtils.getLibtorchPath();
        boolean cuda = engine.hasCapability(StandardCapabilities.CUDA);
        AttentionKernel kernel = AttentionKernel.selected();
        String attention = kernel.name().toLowerCase(Locale.ROOT);
        if (kernel == AttentionKernel.NATIVE)
            attention = TorchOps.available() ? "native SDPA" : "sliced (native SDPA unavailable: " + TorchOps.status() + ")";
        return new TorchSection(Engine.getDjlVersion(), engine.getVersion(), flavour(folder, cuda), Redact.path(folder),
                cuda, engine.getGpuCount(), PrecisionSection.device(engine.defaultDevice()), probeCudaRuntime(),
                JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), attention);
    }

    /** The build named in libtorch's folder ({@code 2.5.1-20241113-cpu-linux-x86_64} → {@code cpu}). */
    static String flavour(String folder, boolean cuda) {
        if (folder != null) {
            Matcher m = FLAVOUR.matcher(Path.of(folder).getFileName().toString());
            if (m.find()) return m.group(1);
        }
        return cuda ? "cuda" : "cpu";
    }

    private static String probeCudaRuntime() {
        try {
            if (!CudaUtils.hasCuda()) return "none found";
            return "CUDA " + CudaUtils.getCudaVersionString() + ", " + CudaUtils.getGpuCount() + " GPU(s)";
        } catch (RuntimeException | LinkageError e) {
            return "none found (" + e.getClass().getSimpleName() + ")";
        }
    }

    @Override
    public List<Line> lines() {
        String gpu = gpuCount > 0 ? gpuCount + " GPU(s), auto runs on " + defaultDevice
                : cuda ? "none (CUDA build, but no GPU visible)" : "none (CPU build of libtorch)";
        return List.of(new Line("DJL / libtorch", djlVersion + " / " + libtorchVersion + " (" + flavour + " build)"),
                new Line("native library", libraryFolder),
                new Line("GPU in libtorch", gpu),
                new Line("CUDA runtime", cudaRuntime + (gpuCount == 0 && cudaRuntime.startsWith("CUDA")
                        ? " (not used by this " + flavour + " build of libtorch: build with -Pcuda for the GPU)" : "")),
                new Line("threads", threads + " intra-op, " + interopThreads + " inter-op"),
                new Line("attention", attention));
    }
}
