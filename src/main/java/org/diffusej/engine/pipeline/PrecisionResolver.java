package org.diffusej.engine.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.diffusej.engine.InvalidRequestException;
import org.diffusej.engine.ModelOptions;
import org.diffusej.engine.runtime.CpuFeatures;
import org.diffusej.engine.runtime.TorchRuntime;
import org.diffusej.engine.runtime.PrecisionChoice;
import org.diffusej.engine.runtime.PrecisionQualifier;
import org.diffusej.engine.runtime.PrecisionVerdict;
import org.diffusej.engine.runtime.OpCheck;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The one place where device and precision names ("auto", "cpu", "gpu"; "auto", "fp32", "fp16", "bf16") become
 * {@link ModelOptions} and a {@link PrecisionChoice}; every face (CLI, Fiji, bridge, benchmark) uses it.
 *
 * <p>The rules. GPU: fp16 by default; fp32 or fp16 on request; bf16 is refused (a CPU mode). CPU, {@code auto}: bf16
 * only where the CPU has native bf16 (AVX512-BF16 or AMX) and bf16 passed its self-test on this host
 * ({@link PrecisionQualifier}), else fp32. CPU, explicit bf16: refused on a CPU without native bf16 (libtorch emulates
 * it there, many times slower than fp32) unless {@code -D}{@value #EMULATED_BF16_PROPERTY}{@code =true}; where it
 * runs but fails its self-test, fp32 is used instead and the choice's reason says what failed. A slow mode is the
 * user's to refuse; wrong numbers are not, so that case falls back rather than stops.
 */
public final class PrecisionResolver {
    /** System property that allows bf16 on CPUs without native bf16 (emulated, slow: tests, benchmarks). */
    public static final String EMULATED_BF16_PROPERTY = "diffusej.bf16.emulated";

    /** Options and how their precision was chosen. */
    public record Resolution(ModelOptions options, PrecisionChoice choice) { }

    private final IntSupplier gpuCount;
    private final BooleanSupplier nativeBf16;
    private final Supplier<PrecisionVerdict> bf16Verdict;
    private final BooleanSupplier emulatedAllowed;

    /**
     * A resolver over the given facts (tests simulate hosts): how many GPUs libtorch sees, whether the CPU has native
     * bf16, the bf16 verdict (asked only when bf16 is considered), whether emulated bf16 is allowed.
     */
    public PrecisionResolver(IntSupplier gpuCount, BooleanSupplier nativeBf16, Supplier<PrecisionVerdict> bf16Verdict,
                             BooleanSupplier emulatedAllowed) {
        this.gpuCount = gpuCount;
        this.nativeBf16 = nativeBf16;
        this.bf16Verdict = bf16Verdict;
        this.emulatedAllowed = emulatedAllowed;
    }

    /** This host: libtorch's GPUs, the CPU's flags, {@link PrecisionQualifier#bf16()}, the system property. */
    public static PrecisionResolver system() {
        return new PrecisionResolver(() -> TorchRuntime.engine().getGpuCount(), CpuFeatures::nativeBf16,
                PrecisionQualifier::bf16, () -> Boolean.getBoolean(EMULATED_BF16_PROPERTY));
    }

    /** {@link #choose} on this host. */
    public static Resolution resolve(String deviceName, String precisionName) throws InvalidRequestException {
        return system().choose(deviceName, precisionName);
    }

    /** Options for a device ("auto", "cpu", "gpu") and precision ("auto", "fp32", "fp16", "bf16"), by the rules above. */
    public Resolution choose(String deviceName, String precisionName) throws InvalidRequestException {
        if (!List.of("auto", "cpu", "gpu").contains(deviceName))
            throw new InvalidRequestException("device must be auto, cpu or gpu, not " + deviceName + ".");
        if (!List.of("auto", "fp32", "fp16", "bf16").contains(precisionName))
            throw new InvalidRequestException("precision must be auto, fp32, fp16 or bf16, not " + precisionName + ".");
        boolean gpu = deviceName.equals("gpu") || deviceName.equals("auto") && gpuCount.getAsInt() > 0;
        if (gpu && deviceName.equals("gpu") && gpuCount.getAsInt() == 0)
            throw new InvalidRequestException("The GPU was requested, but PyTorch sees none: this build has the CPU "
                    + "natives (build with `mvn -Pcuda` on a CUDA 12 machine) or no NVIDIA driver is present. "
                    + "Choose device auto or cpu.");
        ModelOptions base = gpu ? ModelOptions.cpu().withDevice(Device.gpu()) : ModelOptions.cpu();
        if (gpu) return onGpu(base, precisionName);
        return switch (precisionName) {
            case "auto" -> autoOnCpu(base);
            case "bf16" -> bf16OnCpu(base, "bf16");
            default -> asRequested(base, precisionName, precisionName, precisionName + " as requested.");
        };
    }

    /**
     * {@code requested} as the final word for options built in code: a BFLOAT16 precision is checked like an explicit
     * bf16 (refused where emulated, fp32 where it fails its self-test); other precisions are kept.
     */
    public Resolution settle(ModelOptions requested) throws InvalidRequestException {
        String name = PrecisionChoice.name(requested.precision());
        if (requested.precision() == DataType.BFLOAT16) return bf16OnCpu(requested, name);
        return new Resolution(requested, new PrecisionChoice(name, requested.precision(), name + " as set in the "
                + "model options.", null));
    }

    private Resolution onGpu(ModelOptions base, String precisionName) throws InvalidRequestException {
        return switch (precisionName) {
            case "auto" -> asRequested(base, "auto", "fp16", "auto: fp16 on the GPU.");
            case "bf16" -> throw new InvalidRequestException("bf16 is a CPU mode; on a GPU use fp16 (or auto).");
            default -> asRequested(base, precisionName, precisionName, precisionName + " on the GPU as requested.");
        };
    }

    private Resolution autoOnCpu(ModelOptions base) {
        if (!nativeBf16.getAsBoolean())
            return new Resolution(base.withPrecision(DataType.FLOAT32), new PrecisionChoice("auto", DataType.FLOAT32,
                    "auto: fp32, because this CPU has no native bf16 arithmetic (AVX512-BF16 or AMX).", null));
        PrecisionVerdict v = bf16Verdict.get();
        if (v.qualifies())
            return new Resolution(base.withPrecision(DataType.BFLOAT16), new PrecisionChoice("auto",
                    DataType.BFLOAT16, "auto: bf16, because this CPU has native bf16 and bf16 passed its self-test on "
                    + "this host.", v));
        return new Resolution(base.withPrecision(DataType.FLOAT32), new PrecisionChoice("auto", DataType.FLOAT32,
                "auto: fp32, because bf16 failed its self-test on this host (" + failure(v) + ").", v));
    }

    private Resolution bf16OnCpu(ModelOptions base, String requested) throws InvalidRequestException {
        boolean nativeArithmetic = nativeBf16.getAsBoolean();
        if (!nativeArithmetic && !emulatedAllowed.getAsBoolean())
            throw new InvalidRequestException("bf16 needs a CPU with native bfloat16 arithmetic (AVX512-BF16 or AMX); "
                    + "this CPU has neither and would run bf16 many times slower than fp32. Use fp32 (or auto); "
                    + "-D" + EMULATED_BF16_PROPERTY + "=true runs it anyway.");
        PrecisionVerdict v = bf16Verdict.get();
        if (!v.qualifies())
            return new Resolution(base.withPrecision(DataType.FLOAT32), new PrecisionChoice(requested,
                    DataType.FLOAT32, "bf16 was requested but failed its self-test on this host (" + failure(v)
                    + "), so fp32 is used instead.", v));
        String how = nativeArithmetic ? "" : " (emulated: this CPU has no native bf16, expect it many times slower "
                + "than fp32)";
        return new Resolution(base.withPrecision(DataType.BFLOAT16), new PrecisionChoice(requested, DataType.BFLOAT16,
                "bf16 as requested; it passed its self-test on this host" + how + ".", v));
    }

    private static Resolution asRequested(ModelOptions base, String requested, String used, String reason) {
        DataType t = ModelOptions.precisionNamed(used);
        return new Resolution(base.withPrecision(t), new PrecisionChoice(requested, t, reason, null));
    }

    /** The first failed op's clause, or the verdict's own sentence when the test could not run. */
    private static String failure(PrecisionVerdict v) {
        OpCheck f = v.firstFailure();
        if (f != null) return f.describe();
        String s = v.summary();
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
